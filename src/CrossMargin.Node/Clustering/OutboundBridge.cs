using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using CrossMargin.Actors;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// Publishes the engine's facts for the venue to the outbound exchanges, with publisher confirms, in the order they
/// happened on this node: <see cref="LiquidationOrderIssued"/> to <c>{prefix}.liquidation-orders</c>,
/// <see cref="AccountLimitsChanged"/> to <c>{prefix}.account-limits</c>, <see cref="AccountStatusChanged"/> to
/// <c>{prefix}.margin-calls</c>, <see cref="AutoDeleveraged"/> to <c>{prefix}.adl</c> (cancel-alls go from the
/// <see cref="AccountRelay"/>). Routing key = account id, JSON body, AMQP type = the message's name. Each fact is
/// published by the node where it happens (an account's owner, the singleton's holder), so once. Not mandatory: an
/// exchange nobody has bound a queue to yet drops it, as a topic without subscribers does.
/// </summary>
public sealed class OutboundBridge : IActorRef, IAsyncDisposable
{
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConfirmingPublisher _publisher;
    private readonly TopologyNames _names;
    private readonly ILogger _log;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private long _published;
    private long _dropped;

    /// <summary>Starts publishing through <paramref name="publisher"/>; subscribe it to the event stream.</summary>
    public OutboundBridge(ConfirmingPublisher publisher, TopologyNames names, ILogger log)
    {
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _names = names ?? throw new ArgumentNullException(nameof(names));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The event types it publishes.</summary>
    public static IReadOnlyList<Type> Facts { get; } = [typeof(LiquidationOrderIssued), typeof(AccountLimitsChanged), typeof(AccountStatusChanged), typeof(AutoDeleveraged)];

    /// <inheritdoc />
    public ActorPath Path { get; } = ActorPath.Root("cluster").Child("outbound");

    /// <inheritdoc />
    public string Name => Path.Name;

    /// <summary>Messages published (and confirmed) so far.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <inheritdoc />
    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        _queue.Writer.TryWrite(message);
    }

    /// <summary>
    /// The exchange, routing key, message id, AMQP type and body <paramref name="fact"/> is published with; null for a
    /// message that is not one of <see cref="Facts"/>.
    /// </summary>
    public static (string Exchange, string RoutingKey, string MessageId, string Type, byte[] Body)? WireFormOf(object fact, TopologyNames names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var json = ClusterWireJsonContext.Default;
        return fact switch
        {
            LiquidationOrderIssued o => (names.LiquidationOrders, o.AccountId, o.OrderId, nameof(LiquidationOrderIssued), JsonSerializer.SerializeToUtf8Bytes(o, json.LiquidationOrderIssued)),
            AccountLimitsChanged l => (names.AccountLimits, l.AccountId, Guid.NewGuid().ToString("N"), nameof(AccountLimitsChanged), JsonSerializer.SerializeToUtf8Bytes(l, json.AccountLimitsChanged)),
            AccountStatusChanged s => (names.MarginCalls, s.AccountId, Id($"status:{s.AccountId}:{s.ValuationTime.UtcTicks}:{s.To}"), nameof(AccountStatusChanged),
                JsonSerializer.SerializeToUtf8Bytes(s, json.AccountStatusChanged)),
            AutoDeleveraged a => (names.Adl, a.AccountId, Id($"{a.LiquidationId}:adl:{a.AccountId}:{a.Symbol}:{a.Side}:{a.Quantity}:{a.Price}"), nameof(AutoDeleveraged),
                JsonSerializer.SerializeToUtf8Bytes(a, json.AutoDeleveraged)),
            _ => null,
        };
    }

    /// <summary>Facts given up on: not confirmed by the broker, or still queued when the bridge stopped.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Stops: publishes what was already told for at most <see cref="DrainTimeout"/>, then gives up the rest (a node
    /// whose broker is gone, or that is behind by many limit changes, must still be able to stop).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (await Task.WhenAny(_loop, Task.Delay(DrainTimeout)).ConfigureAwait(false) != _loop)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <summary>How long <see cref="DisposeAsync"/> keeps publishing what was queued before it gives the rest up.</summary>
    public static TimeSpan DrainTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public override string ToString() => Path.ToString();

    private static string Id(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private async Task RunAsync()
    {
        await foreach (var fact in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }

            if (WireFormOf(fact, _names) is not var (exchange, key, id, type, body))
            {
                continue;
            }

            try
            {
                await _publisher.PublishAsync(exchange, key, body, id, type, new PublishOptions { Mandatory = false }, _stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _published);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _dropped);
            }
            catch (Exception e) when (e is PublishFailedException or ObjectDisposedException)
            {
                Interlocked.Increment(ref _dropped);
                _log.LogError(e, "{Type} {MessageId} for {AccountId} not confirmed by the broker; dropped", type, id, key);
            }
        }

        if (Dropped > 0)
        {
            _log.LogWarning("Outbound bridge stopped: {Published} facts published, {Dropped} given up", Published, Dropped);
        }
    }
}
