using System.Text.Json;
using System.Threading.Channels;
using CrossMargin.Actors;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// The liquidation coordinator's account region on the singleton's node: each <see cref="ShardEnvelope"/> becomes a
/// request through the accounts exchange (routing key = account id) to whichever node owns the account, and the
/// owner's answer comes back to the sender as the typed answer the coordinator expects. Requests are published one
/// after the other, in the order they were told (the coordinator relies on one sender, one order: a view is read after
/// the commands sent before it); answers are awaited concurrently. Commands carry no TTL, so they wait in the shard
/// queue through a hand-off; views expire with the ask timeout (the coordinator asks again). A
/// <see cref="ShardBroadcast"/> of <see cref="GetAccount"/> (auto-deleveraging) is a query every node answers with its
/// interested accounts' views, collected for a window. A cancel-all also goes to the venue on the cancel-all exchange.
/// A command that cannot be published (no confirm within the ask timeout, the broker refused it) is tried again with
/// back-off until it is published or the relay stops; the messages told after it wait.
/// </summary>
public sealed class AccountRelay : IActorRef, IAsyncDisposable
{
    private readonly Channel<(object Message, IActorRef? Sender)> _queue = Channel.CreateUnbounded<(object, IActorRef?)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly RequestClient _requests;
    private readonly ConfirmingPublisher _publisher;
    private readonly TopologyNames _names;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _collectWindow;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    /// <summary>Starts relaying through <paramref name="requests"/>; answers are awaited for <paramref name="timeout"/>, views collected for <paramref name="collectWindow"/>.</summary>
    public AccountRelay(RequestClient requests, ConfirmingPublisher publisher, TopologyNames names, TimeSpan timeout, TimeSpan collectWindow, ILogger log)
    {
        _requests = requests ?? throw new ArgumentNullException(nameof(requests));
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _names = names ?? throw new ArgumentNullException(nameof(names));
        _timeout = timeout;
        _collectWindow = collectWindow;
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _loop = Task.Run(RunAsync);
    }

    /// <inheritdoc />
    public ActorPath Path { get; } = ActorPath.Root("cluster").Child("account-relay");

    /// <inheritdoc />
    public string Name => Path.Name;

    /// <inheritdoc />
    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!_queue.Writer.TryWrite((message, sender)))
        {
            _log.LogDebug("Account relay stopped; {Message} dropped", message.GetType().Name);
        }
    }

    /// <summary>The AMQP type and body of a message the coordinator sends an account; null for one it never sends.</summary>
    public static (string Type, byte[] Body)? WireFormOf(object message) => message switch
    {
        GetAccount => (ClusterMessageTypes.GetAccountView, "{}"u8.ToArray()),
        CancelAllOrders c => (ClusterMessageTypes.CancelAllOrders, JsonSerializer.SerializeToUtf8Bytes(c, ClusterWireJsonContext.Default.CancelAllOrders)),
        ChargeLiquidationFee c => (ClusterMessageTypes.ChargeLiquidationFee, JsonSerializer.SerializeToUtf8Bytes(c, ClusterWireJsonContext.Default.ChargeLiquidationFee)),
        CoverDeficit c => (ClusterMessageTypes.CoverDeficit, JsonSerializer.SerializeToUtf8Bytes(c, ClusterWireJsonContext.Default.CoverDeficit)),
        ApplyExecution c => (ClusterMessageTypes.AdlExecution, JsonSerializer.SerializeToUtf8Bytes(c, ClusterWireJsonContext.Default.ApplyExecution)),
        VoidSequence c => (ClusterMessageTypes.VoidSequence, JsonSerializer.SerializeToUtf8Bytes(c, ClusterWireJsonContext.Default.VoidSequence)),
        OpenAccount c => (ClusterMessageTypes.OpenAccount, JsonSerializer.SerializeToUtf8Bytes(c, ClusterWireJsonContext.Default.OpenAccount)),
        Withdraw c => (ClusterMessageTypes.Withdraw, JsonSerializer.SerializeToUtf8Bytes(c, ClusterWireJsonContext.Default.Withdraw)),
        _ => null,
    };

    /// <summary>Stops relaying; what was not yet published is dropped (the coordinator re-sends its commands when it recovers).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _stopping.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => Path.ToString();

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        await foreach (var (message, sender) in _queue.Reader.ReadAllAsync(token).ConfigureAwait(false))
        {
            switch (message)
            {
                case ShardEnvelope envelope:
                    await SendAsync(envelope, sender, token).ConfigureAwait(false);
                    break;
                case ShardBroadcast { Message: GetAccount } broadcast:
                    _ = CollectAsync(broadcast, sender, token);
                    break;
                default:
                    _log.LogWarning("Account relay cannot carry {Message}; dropped", message.GetType().Name);
                    break;
            }
        }
    }

    private async Task SendAsync(ShardEnvelope envelope, IActorRef? sender, CancellationToken token)
    {
        if (WireFormOf(envelope.Message) is not var (type, body))
        {
            _log.LogWarning("Account relay cannot carry {Message} to {AccountId}; dropped", envelope.Message.GetType().Name, envelope.EntityId);
            return;
        }

        var isCommand = envelope.Message is IAccountCommand;
        var messageId = envelope.Message is IAccountCommand command ? command.MessageId : Guid.NewGuid().ToString("N");
        var backoff = RetryBackoffMin;
        while (await TrySendAsync(envelope, sender, type, body, isCommand, messageId, token).ConfigureAwait(false) is false)
        {
            if (!isCommand)
            {
                return; // The coordinator re-asks for views on its own timer.
            }

            // A command is never dropped: the coordinator re-sends its commands only when it recovers, so a dropped one
            // would stall its liquidation until then. Retried under the same message id (the account drops a repeat),
            // and the relay's later messages wait behind it, so their order holds.
            await Task.Delay(backoff, token).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, RetryBackoffMax.Ticks));
        }
    }

    /// <summary>The first wait before a command that could not be published is tried again.</summary>
    public static TimeSpan RetryBackoffMin { get; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between tries of a command that could not be published.</summary>
    public static TimeSpan RetryBackoffMax { get; } = TimeSpan.FromSeconds(5);

    private async Task<bool> TrySendAsync(ShardEnvelope envelope, IActorRef? sender, string type, byte[] body, bool isCommand, string messageId, CancellationToken token)
    {
        Task<ReceivedMessage> answer;
        try
        {
            if (envelope.Message is CancelAllOrders cancel)
            {
                // The venue cancels the account's orders too: it learns of it before the account's own cancellation is durable.
                await _publisher.PublishAsync(_names.CancelAll, envelope.EntityId,
                    JsonSerializer.SerializeToUtf8Bytes(new CancelAllIssued(envelope.EntityId, cancel.MessageId, cancel.Source), ClusterWireJsonContext.Default.CancelAllIssued),
                    cancel.MessageId, nameof(CancelAllIssued), new PublishOptions { Mandatory = false }, token).ConfigureAwait(false);
            }

            answer = await _requests.SendAsync(_names.Accounts, envelope.EntityId, body, messageId, type, _timeout, expires: !isCommand, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PublishFailedException or TimeoutException)
        {
            _log.LogWarning(e, "Could not relay {Type} {MessageId} to {AccountId}{Retry}", type, messageId, envelope.EntityId, isCommand ? "; trying again" : "");
            return false;
        }

        _ = AnswerAsync(answer, envelope.EntityId, type, messageId, sender);
        return true;
    }

    private async Task AnswerAsync(Task<ReceivedMessage> answer, string accountId, string type, string messageId, IActorRef? sender)
    {
        try
        {
            var received = await answer.ConfigureAwait(false);
            var reply = JsonSerializer.Deserialize(received.Body.Span, ClusterWireJsonContext.Default.AccountCommandAnswer)
                ?? throw new JsonException("An empty account answer.");
            sender?.Tell(reply.ToReply(), this);
        }
        catch (TimeoutException)
        {
            _log.LogDebug("No answer from {AccountId} to {Type} {MessageId} in time", accountId, type, messageId);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            _log.LogWarning(e, "Unreadable answer from {AccountId} to {Type} {MessageId}", accountId, type, messageId);
        }
    }

    private async Task CollectAsync(ShardBroadcast broadcast, IActorRef? sender, CancellationToken token)
    {
        // Each node's views go to the asker as they come: it closes its own window (the round's collect window) from
        // when it asked, and views held back to the end of this one reached it too late in a crash (rounds that heard
        // none though every node had answered in 130-185 ms).
        void Forward(ReceivedMessage answer)
        {
            try
            {
                var list = JsonSerializer.Deserialize(answer.Body.Span, ClusterWireJsonContext.Default.AccountViewList);
                foreach (var view in list?.Views ?? [])
                {
                    sender?.Tell(view, this);
                }
            }
            catch (JsonException e)
            {
                _log.LogWarning(e, "An unreadable account views answer to an auto-deleveraging query");
            }
        }

        try
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new AccountViewsQuery([.. broadcast.Topics.Order(StringComparer.Ordinal)]), ClusterWireJsonContext.Default.AccountViewsQuery);
            await _requests.CollectAsync(_names.Requests, TopologyNames.AccountViewsKey, body, Guid.NewGuid().ToString("N"), ClusterMessageTypes.AccountViews,
                _collectWindow, Forward, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PublishFailedException or OperationCanceledException)
        {
            _log.LogWarning(e, "Collecting account views for auto-deleveraging failed");
        }
    }
}
