using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// Consumes one shard queue while this node holds the shard's lease: start it when the lease is gained, stop it when
/// the lease is lost or given up. Each delivery goes to the handler and is acked only after the handler's task
/// succeeds (consecutive ones in one ack where they can be); a failed handler's delivery is requeued, and on its last attempt
/// (<see cref="RabbitMqOptions.MaxDeliveryAttempts"/>) published to the dead-letter queue with the failure's reason
/// instead. At most <see cref="RabbitMqOptions.Prefetch"/> deliveries are unacked at once. Through a broker restart
/// the connection's recovery re-registers the consumer; what was unacked comes back with the redelivered flag.
/// </summary>
public sealed class ShardConsumer : IAsyncDisposable
{
    // Small enough that the broker puts each batch of returns back in order (see AwaitReturnsAppliedAsync).
    private const int ReturnBatch = 16;

    private static readonly TimeSpan ReturnPauseWithConsumer = TimeSpan.FromMilliseconds(20);

    private readonly RabbitMqConnection _connection;
    private readonly IChannel _channel;
    private readonly ShardDeliveryHandler _handler;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _ackLock = new(1, 1);
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _consumerTag = "";
    private int _inFlight;

    // Delivery tags handed to the handler and not yet settled, in delivery (queue) order.
    private readonly SortedSet<ulong> _unsettled = [];

    // Of those, the ones whose handler succeeded and whose ack has not been sent yet (see AckDoneAsync).
    private readonly HashSet<ulong> _done = [];
    private bool _acking;
    private bool _stopping;
    private Task? _stopTask;
    private long _acknowledged;
    private long _ackFrames;
    private long _requeued;
    private long _deadLettered;

    // Handler failures this consumer saw per message id, kept only on queues that count no returns (classic shard
    // queues; a quorum queue's x-delivery-count already includes them): a message whose handler keeps failing is still
    // dead-lettered after MaxDeliveryAttempts while it stays on this consumer. Entries go when the message is settled
    // here; one that moved to another consumer stays until this one is gone (a lease's worth of failures at most).
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly bool _countsFailures;

    private ShardConsumer(RabbitMqConnection connection, IChannel channel, int shard, string queueName, ShardDeliveryHandler handler)
    {
        _connection = connection;
        _countsFailures = connection.Options.ShardQueueType == Topology.ClassicQueueType;
        _channel = channel;
        Shard = shard;
        QueueName = queueName;
        _handler = handler;
        _logger = connection.LoggerFactory.CreateLogger<ShardConsumer>();
    }

    /// <summary>The shard consumed; -1 for a queue that is not a shard's (<see cref="StartOnQueueAsync"/>).</summary>
    public int Shard { get; }

    /// <summary>The shard's queue.</summary>
    public string QueueName { get; }

    /// <summary>Deliveries handed to the handler and not yet acked or requeued.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Deliveries acked after their handler succeeded.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>basic.ack frames sent for <see cref="Acknowledged"/> deliveries (fewer than them when runs were acked in one).</summary>
    public long AckFrames => Interlocked.Read(ref _ackFrames);

    /// <summary>Deliveries requeued after their handler failed.</summary>
    public long Requeued => Interlocked.Read(ref _requeued);

    /// <summary>Deliveries sent to the dead-letter queue after their last attempt failed.</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>
    /// Completes when the consumer has stopped for good: after <see cref="StopAsync"/> with <c>null</c>, or, with the
    /// reason, when the broker cancelled it (its queue was deleted) or closed its channel for an error the connection's
    /// recovery does not repair. A connection outage does not complete it: the consumer resumes after recovery. A node
    /// whose consumer completes without having been stopped no longer serves the shard and should give up its lease
    /// (or start a new consumer).
    /// </summary>
    public Task<string?> Completion => _completion.Task;

    /// <summary>Starts consuming shard <paramref name="shard"/>'s queue (declared by <see cref="Topology.DeclareAsync"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shard"/> is not below <see cref="RabbitMqOptions.ShardCount"/>.</exception>
    /// <exception cref="InvalidOperationException">The shard queue does not exist (the topology was not declared).</exception>
    public static async Task<ShardConsumer> StartAsync(RabbitMqConnection connection, int shard, ShardDeliveryHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, connection.Options.ShardCount);
        return await StartAsync(connection, shard, connection.Names.Shard(shard), handler, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts consuming a durable queue that is not a shard's (the liquidation queue, <see cref="TopologyNames.Liquidation"/>)
    /// with the same guarantees: ack after the handler, bounded redelivery, stop in phases. Deliveries carry shard -1.
    /// </summary>
    public static Task<ShardConsumer> StartOnQueueAsync(RabbitMqConnection connection, string queueName, ShardDeliveryHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        return StartAsync(connection, -1, queueName, handler, cancellationToken);
    }

    private static async Task<ShardConsumer> StartAsync(RabbitMqConnection connection, int shard, string queueName, ShardDeliveryHandler handler, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(publisherConfirms: false, cancellationToken).ConfigureAwait(false);
        var consumer = new ShardConsumer(connection, channel, shard, queueName, handler);
        try
        {
            await channel.BasicQosAsync(0, connection.Options.Prefetch, global: false, cancellationToken).ConfigureAwait(false);
            var basic = new AsyncEventingBasicConsumer(channel);
            basic.ReceivedAsync += consumer.OnReceivedAsync;
            basic.UnregisteredAsync += consumer.OnUnregisteredAsync;
            basic.ShutdownAsync += consumer.OnShutdownAsync;
            var tag = $"{connection.Options.ClientName}.{consumer.QueueName}.{Guid.NewGuid():N}";
            consumer._consumerTag = await channel.BasicConsumeAsync(consumer.QueueName, autoAck: false, tag, noLocal: false, exclusive: false, arguments: null, basic, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason is { ReplyCode: 404 })
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"Queue '{consumer.QueueName}' does not exist: declare the topology (Topology.DeclareAsync) first. {e.ShutdownReason.ReplyText}", e);
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        consumer._logger.LogInformation("Consuming shard {Shard} ({Queue}), prefetch {Prefetch}", shard, consumer.QueueName, connection.Options.Prefetch);
        return consumer;
    }

    /// <summary>
    /// Stops in three phases, each with its own time-out: cancel the consumer so no new deliveries come
    /// (<see cref="RabbitMqOptions.ConsumerCancelTimeout"/>); wait for in-flight handlers so their deliveries are acked
    /// (<see cref="RabbitMqOptions.HandlerDrainTimeout"/>, after which their token is cancelled); close the channel, which
    /// returns whatever is still unacked to the queue for the shard's next owner (<see cref="RabbitMqOptions.ChannelCloseTimeout"/>).
    /// Calling it again returns the same task.
    /// </summary>
    public Task StopAsync()
    {
        lock (_gate)
        {
            if (_stopTask is null)
            {
                _stopping = true;
                if (_inFlight == 0)
                {
                    _drained.TrySetResult();
                }

                _stopTask = StopInPhasesAsync();
            }

            return _stopTask;
        }
    }

    /// <summary>Stops (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _channel.DisposeAsync().ConfigureAwait(false);

        // A handler that ignored its cancellation may still finish and try to settle; it must find these alive.
        if (InFlight == 0)
        {
            _abort.Dispose();
            _ackLock.Dispose();
        }
    }

    private async Task StopInPhasesAsync()
    {
        var options = _connection.Options;
        try
        {
            using var cancelTimeout = new CancellationTokenSource(options.ConsumerCancelTimeout);
            await _channel.BasicCancelAsync(_consumerTag, noWait: false, cancelTimeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationInterruptedException or OperationCanceledException or IOException)
        {
            _logger.LogWarning(e, "Shard {Shard}: cancelling the consumer failed; closing the channel stops it anyway", Shard);
        }

        try
        {
            await _drained.Task.WaitAsync(options.HandlerDrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Shard {Shard}: {InFlight} handler(s) still running after {Timeout}; cancelling them, their deliveries go back to the queue", Shard, InFlight, options.HandlerDrainTimeout);
            await _abort.CancelAsync().ConfigureAwait(false);
        }

        await ReturnUnsettledInOrderAsync().ConfigureAwait(false);

        try
        {
            using var closeTimeout = new CancellationTokenSource(options.ChannelCloseTimeout);
            if (_channel.IsOpen)
            {
                // Close under the ack lock so no ack is half-written when the channel goes.
                await _ackLock.WaitAsync(closeTimeout.Token).ConfigureAwait(false);
                try
                {
                    await _channel.CloseAsync(closeTimeout.Token).ConfigureAwait(false);
                }
                finally
                {
                    _ackLock.Release();
                }
            }
        }
        catch (Exception e) when (e is OperationInterruptedException or OperationCanceledException or IOException)
        {
            _logger.LogWarning(e, "Shard {Shard}: closing the channel failed or timed out", Shard);
        }

        _logger.LogInformation("Stopped consuming shard {Shard}: {Acked} acked, {Requeued} requeued, {DeadLettered} dead-lettered", Shard, Acknowledged, Requeued, DeadLettered);
        _completion.TrySetResult(null);
    }

    private bool IsStopping
    {
        get
        {
            lock (_gate)
            {
                return _stopping;
            }
        }
    }

    private Task OnUnregisteredAsync(object sender, ConsumerEventArgs args)
    {
        bool stopping;
        lock (_gate)
        {
            stopping = _stopping;
        }

        // The client also unregisters its consumers when the channel shuts down (an outage, repaired by recovery, which
        // registers them again); only a cancel on a channel that is still open comes from the broker.
        if (!stopping && _channel.IsOpen)
        {
            Lost($"the broker cancelled the consumer of '{QueueName}' (the queue was deleted or is unavailable)");
        }

        return Task.CompletedTask;
    }

    private Task OnShutdownAsync(object sender, ShutdownEventArgs args)
    {
        // Connection-level closes are repaired by recovery; a channel the broker closed for an error of its own is not.
        if (args.Initiator == ShutdownInitiator.Peer && args.ReplyCode is 311 or 313 or 403 or 404 or 405 or 406)
        {
            Lost($"the broker closed the channel of '{QueueName}': {args.ReplyCode} {args.ReplyText}");
        }

        return Task.CompletedTask;
    }

    private void Lost(string reason)
    {
        if (_completion.TrySetResult(reason))
        {
            _logger.LogError("Shard {Shard}: consumer lost: {Reason}; the node no longer receives this shard's deliveries", Shard, reason);

            // Stop in the usual phases so in-flight deliveries are settled and the rest returned to the queue.
            _ = StopAsync();
        }
    }

    private Task OnReceivedAsync(object sender, BasicDeliverEventArgs args)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                // Arrived between cancel and cancel-ok: not handled, and returned with the unsettled ones, in delivery order.
                _unsettled.Add(args.DeliveryTag);
                return Task.CompletedTask;
            }

            _inFlight++;
            _unsettled.Add(args.DeliveryTag);
        }

        var properties = args.BasicProperties;
        var returned = Math.Max(DeliveryCount(properties.Headers), FailuresOf(properties.MessageId));
        var delivery = new ShardDelivery
        {
            // The client reuses the body's buffer once this callback returns; the handler outlives it.
            Body = args.Body.ToArray(),
            MessageId = properties.MessageId,
            Type = properties.Type,
            UserId = properties.UserId,
            AccountId = args.RoutingKey,
            Shard = Shard,
            Redelivered = args.Redelivered,
            Attempt = returned >= int.MaxValue - 1 ? int.MaxValue : (int)returned + 1,
            CorrelationId = properties.CorrelationId,
            ReplyTo = properties.ReplyTo,
        };

        Task handled;
        try
        {
            handled = _handler(delivery, _abort.Token);
        }
        catch (Exception e)
        {
            handled = Task.FromException(e);
        }

        _ = CompleteAsync(handled, args.DeliveryTag, delivery, args.Exchange);
        return Task.CompletedTask;
    }

    private async Task CompleteAsync(Task handled, ulong deliveryTag, ShardDelivery delivery, string exchange)
    {
        try
        {
            try
            {
                await handled.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await FailAsync(deliveryTag, delivery, exchange, e).ConfigureAwait(false);
                return;
            }

            lock (_gate)
            {
                // A stop may have returned it already (its handler ignored the cancellation): acking that tag now
                // would be an unknown delivery tag to the broker, which closes the channel.
                if (!_unsettled.Contains(deliveryTag))
                {
                    return;
                }

                _done.Add(deliveryTag);
                if (_failures.Count > 0 && delivery.MessageId is { } succeeded)
                {
                    _failures.Remove(succeeded);
                }
            }

            await AckDoneAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nobody awaits this task: whatever escapes is logged, and the unacked delivery comes back.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogError(e, "Shard {Shard}: settling message {MessageId} failed; the broker redelivers it", Shard, delivery.MessageId);
        }
        finally
        {
            lock (_gate)
            {
                _inFlight--;
                if (_stopping && _inFlight == 0)
                {
                    _drained.TrySetResult();
                }
            }
        }
    }

    private async Task FailAsync(ulong deliveryTag, ShardDelivery delivery, string exchange, Exception error)
    {
        if (error is OperationCanceledException && (_abort.IsCancellationRequested || IsStopping))
        {
            return; // Given up by stop: returned with the other unsettled deliveries, in delivery order.
        }

        var reason = $"{error.GetType().FullName}: {error.Message}";
        if (delivery.Attempt >= _connection.Options.MaxDeliveryAttempts)
        {
            try
            {
                await DeadLetterAsync(delivery, exchange, reason).ConfigureAwait(false);
                CountFailure(delivery.MessageId, settled: true);
                if (await SettleAsync(deliveryTag, c => c.BasicAckAsync(deliveryTag, multiple: false)).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref _deadLettered);
                    _logger.LogError(error, "Shard {Shard}: message {MessageId} for {Account} failed {Attempts} times; sent to the dead-letter queue", Shard, delivery.MessageId, delivery.AccountId, delivery.Attempt);
                }

                await AckDoneAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is PublishFailedException or OperationInterruptedException or BrokerUnreachableException or IOException or ObjectDisposedException)
            {
                _logger.LogError(e, "Shard {Shard}: dead-lettering message {MessageId} failed; requeueing it", Shard, delivery.MessageId);
            }
        }

        CountFailure(delivery.MessageId, settled: false);
        _logger.LogWarning(error, "Shard {Shard}: handler failed on message {MessageId} (attempt {Attempt} of {Max}); requeueing it", Shard, delivery.MessageId, delivery.Attempt, _connection.Options.MaxDeliveryAttempts);
        if (await SettleAsync(deliveryTag, c => c.BasicNackAsync(deliveryTag, multiple: false, requeue: true)).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _requeued);
        }

        // The deliveries after it that succeeded meanwhile may now be acked in one.
        await AckDoneAsync().ConfigureAwait(false);
    }

    // Acks succeeded deliveries, several in one basic.ack where it can: the longest run of unsettled deliveries, from
    // the oldest, whose handlers all succeeded goes out as one ack with multiple=true (which acks every outstanding tag
    // up to the last, so it is used only when each of them is done). Deliveries that succeeded behind an older one still
    // running (held for a sequence gap, or simply slower) wait for it, unless a quarter of the prefetch window is done
    // and waiting: then they are acked one by one, so a held delivery can never fill the window with finished ones and
    // starve the delivery it waits for. One caller sends at a time; completions that arrive meanwhile are picked up by
    // its next round, which is what batches acks under load without a timer delaying any of them.
    private async Task AckDoneAsync()
    {
        lock (_gate)
        {
            if (_acking)
            {
                return;
            }

            _acking = true;
        }

        var flushAt = Math.Max(1, _connection.Options.Prefetch / 4);
        while (true)
        {
            // The ack lock before taking: deliveries taken out of the unsettled set are acked before a stop can read that
            // set. Taken first and acked after, a stop could return the rest and close the channel in between, and the
            // broker would hand those done deliveries to the next owner again.
            await _ackLock.WaitAsync().ConfigureAwait(false);
            try
            {
                ulong last;
                int run;
                List<ulong>? singles;
                lock (_gate)
                {
                    (last, run, singles) = TakeDoneLocked(_done.Count >= flushAt);
                    if (run == 0 && singles is null)
                    {
                        _acking = false;
                        return;
                    }
                }

                await SendTakenAcksAsync(last, run, singles).ConfigureAwait(false);
            }
            finally
            {
                _ackLock.Release();
            }
        }
    }

    // Removes from the unsettled set the run of done deliveries at its head, and with all, every other done one too.
    private (ulong Last, int Run, List<ulong>? Singles) TakeDoneLocked(bool all)
    {
        ulong last = 0;
        var run = 0;
        while (_unsettled.Count > 0 && _done.Remove(_unsettled.Min))
        {
            last = _unsettled.Min;
            _unsettled.Remove(last);
            run++;
        }

        List<ulong>? singles = null;
        if (all && _done.Count > 0)
        {
            singles = [.. _done];
            foreach (var tag in singles)
            {
                _unsettled.Remove(tag);
            }

            _done.Clear();
        }

        return (last, run, singles);
    }

    // Under the ack lock: acks what TakeDoneLocked took, the run in one frame.
    private async Task AckTakenAsync(ulong last, int run, List<ulong>? singles)
    {
        if (run > 0)
        {
            await _channel.BasicAckAsync(last, multiple: run > 1).ConfigureAwait(false);
            Interlocked.Add(ref _acknowledged, run);
            Interlocked.Increment(ref _ackFrames);
        }

        foreach (var tag in singles ?? [])
        {
            await _channel.BasicAckAsync(tag, multiple: false).ConfigureAwait(false);
            Interlocked.Increment(ref _acknowledged);
            Interlocked.Increment(ref _ackFrames);
        }
    }

    // Under the ack lock, held by the caller.
    private async Task SendTakenAcksAsync(ulong last, int run, List<ulong>? singles)
    {
        try
        {
            if (!_channel.IsOpen)
            {
                return; // Requeued by the broker with the channel: they come back flagged as redelivered.
            }

            await AckTakenAsync(last, run, singles).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            _logger.LogDebug(e, "Shard {Shard}: acking deliveries failed; the broker redelivers them", Shard);
        }
    }

    private async Task DeadLetterAsync(ShardDelivery delivery, string exchange, string reason)
    {
        var publisher = await _connection.DeadLetterPublisherAsync(CancellationToken.None).ConfigureAwait(false);
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [TransportHeaders.FailureReason] = reason.Length > 2000 ? reason[..2000] : reason,
            [TransportHeaders.Attempts] = delivery.Attempt,
            [TransportHeaders.SourceQueue] = QueueName,
            [TransportHeaders.OriginalRoutingKey] = delivery.AccountId,
            ["x-cm-original-exchange"] = exchange,
        };
        await publisher.PublishAsync(
            _connection.Names.DeadLetter,
            QueueName,
            delivery.Body,
            delivery.MessageId ?? Guid.NewGuid().ToString("N"),
            delivery.Type ?? "unknown",
            new PublishOptions { Headers = headers },
            CancellationToken.None).ConfigureAwait(false);
    }

    // The broker applies a channel's nacks asynchronously. When a quorum queue's client has more than a few dozen
    // commands pending it sends the returns as one batch, and a batch of more than 32 is put back in hash order, not
    // delivery order; closing the channel with deliveries still out does the same. So nacks go in small batches, each
    // awaited, bounded, until the queue's ready count shows it back. When another consumer is subscribed (the shard's
    // next owner, waiting as the queue's single active consumer) it takes them as they come back and the ready count
    // never shows them: then each batch is only given a short pause.
    private async Task<bool> AwaitReturnsAppliedAsync(uint expectedReady)
    {
        var waited = Stopwatch.StartNew();
        while (_channel.IsOpen && waited.Elapsed < _connection.Options.ChannelCloseTimeout)
        {
            var (ready, consumers) = await QueueStateAsync().ConfigureAwait(false);
            if (ready >= expectedReady || (consumers > 0 && waited.Elapsed >= ReturnPauseWithConsumer))
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2)).ConfigureAwait(false);
        }

        _logger.LogWarning("Shard {Shard}: the queue did not show the returned deliveries back within {Timeout}; returning the rest as the channel closes", Shard, _connection.Options.ChannelCloseTimeout);
        return false;
    }

    private async Task<(uint Ready, uint Consumers)> QueueStateAsync()
    {
        var ok = await _channel.QueueDeclarePassiveAsync(QueueName).ConfigureAwait(false);
        return (ok.MessageCount, ok.ConsumerCount);
    }

    // Acks and nacks for a channel that has gone (stopped, or lost with the connection) are dropped: the broker has
    // requeued those deliveries already, and they come back flagged as redelivered.
    // Closing the channel would return these too, but then in no particular order (see AwaitReturnsAppliedAsync), and
    // the shard's next owner would see an account's later message before an earlier one.
    private async Task ReturnUnsettledInOrderAsync()
    {
        await _ackLock.WaitAsync().ConfigureAwait(false);
        try
        {
            ulong[] tags;
            ulong last;
            int run;
            List<ulong>? singles;
            lock (_gate)
            {
                // Deliveries whose handler succeeded are acked, not returned: their effects are durable.
                (last, run, singles) = TakeDoneLocked(all: true);
                tags = [.. _unsettled];
                _unsettled.Clear();
            }

            if (!_channel.IsOpen)
            {
                return;
            }

            await AckTakenAsync(last, run, singles).ConfigureAwait(false);

            if (tags.Length == 0)
            {
                return;
            }

            var expectedReady = (await QueueStateAsync().ConfigureAwait(false)).Ready;
            foreach (var batch in tags.Chunk(ReturnBatch))
            {
                foreach (var tag in batch)
                {
                    if (!_channel.IsOpen)
                    {
                        return;
                    }

                    await _channel.BasicNackAsync(tag, multiple: false, requeue: true).ConfigureAwait(false);
                }

                expectedReady += (uint)batch.Length;
                if (!await AwaitReturnsAppliedAsync(expectedReady).ConfigureAwait(false))
                {
                    break;
                }
            }

            _logger.LogInformation("Shard {Shard}: returned {Count} unsettled deliveries to the queue in delivery order", Shard, tags.Length);
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            _logger.LogWarning(e, "Shard {Shard}: returning unsettled deliveries in order failed; closing the channel returns the rest", Shard);
        }
        finally
        {
            _ackLock.Release();
        }
    }

    private async Task<bool> SettleAsync(ulong deliveryTag, Func<IChannel, ValueTask> settle)
    {
        await _ackLock.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                // Already returned by a stop: settling it again would be an unknown delivery tag to the broker.
                if (!_unsettled.Remove(deliveryTag))
                {
                    return false;
                }
            }

            if (!_channel.IsOpen)
            {
                return false;
            }

            await settle(_channel).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            _logger.LogDebug(e, "Shard {Shard}: settling a delivery failed; the broker redelivers it", Shard);
            return false;
        }
        finally
        {
            _ackLock.Release();
        }
    }

    private long FailuresOf(string? messageId)
    {
        if (!_countsFailures)
        {
            return 0;
        }

        lock (_gate)
        {
            return _failures.Count > 0 && messageId is not null && _failures.TryGetValue(messageId, out var failures) ? failures : 0;
        }
    }

    private void CountFailure(string? messageId, bool settled)
    {
        if (!_countsFailures || messageId is null)
        {
            return;
        }

        lock (_gate)
        {
            if (settled)
            {
                _failures.Remove(messageId);
            }
            else
            {
                _failures[messageId] = _failures.GetValueOrDefault(messageId) + 1;
            }
        }
    }

    private static long DeliveryCount(IDictionary<string, object?>? headers)
    {
        if (headers is null || !headers.TryGetValue(TransportHeaders.DeliveryCount, out var value) || value is null)
        {
            return 0;
        }

        // The broker writes a number; anything else (a publisher's own header of that name) counts as a first attempt.
        return value switch
        {
            long number => Math.Max(number, 0),
            int number => Math.Max(number, 0),
            short number => Math.Max((int)number, 0),
            byte number => number,
            byte[] text when long.TryParse(Encoding.UTF8.GetString(text), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => Math.Max(parsed, 0),
            _ => 0,
        };
    }
}
