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
public sealed partial class ShardConsumer : IAsyncDisposable
{
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
    private readonly DeliveryTags _unsettled = new();

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
        try
        {
            // Bounded: a channel whose close the broker never answered is aborted here, an RPC the client only ends
            // at its own continuation timeout (see StopInPhasesAsync).
            await _channel.DisposeAsync().AsTask().WaitAsync(_connection.Options.ChannelCloseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Shard {Shard}: disposing the channel did not finish within {Timeout}; left to the connection's close", Shard, _connection.Options.ChannelCloseTimeout);
        }

        // A handler that ignored its cancellation may still finish and try to settle; it must find these alive.
        if (InFlight == 0)
        {
            _abort.Dispose();
            _ackLock.Dispose();
        }
    }
}
