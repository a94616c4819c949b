using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using CrossMargin.Actors;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Metrics;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// Publishes the engine's facts for the venue to the outbound exchanges, with publisher confirms, in the order they
/// happened on this node: <see cref="LiquidationOrderIssued"/> to <c>{prefix}.liquidation-orders</c>,
/// <see cref="AccountLimitsChanged"/> (and each account of an <see cref="AccountLimitsBatch"/> of a re-margin pass) to
/// <c>{prefix}.account-limits</c> as <see cref="AccountLimitsChangedBatch"/> messages, <see cref="AccountStatusChanged"/> to
/// <c>{prefix}.margin-calls</c>, <see cref="AutoDeleveraged"/> to <c>{prefix}.adl</c> (cancel-alls go from the
/// <see cref="AccountRelay"/>). Routing key = account id (<see cref="LimitsRoutingKey"/> for limits messages), JSON
/// body, AMQP type = the message's name. Each fact is
/// published by the node where it happens (an account's owner, the singleton's holder), so once. Not mandatory: an
/// exchange nobody has bound a queue to yet drops it, as a topic without subscribers does.
/// </summary>
/// <remarks>
/// <para>Facts go out in batches whose confirms are awaited together (one broker round trip per batch rather than per
/// fact), up to <see cref="BatchSize"/> of each kind per batch.</para>
/// <para>Account limits are coalesced: only an account's newest limits matter to the venue, so a newer change replaces one
/// still waiting, and the limits backlog is bounded by the number of accounts. The limits a batch takes go out as one
/// message, not one per account: at a few executions per account per second a change rarely finds its account's
/// previous one still waiting, so per-account messages cost the broker a publish and a confirm for almost every
/// execution. Liquidation orders, status changes and
/// ADL notices are never coalesced and keep their order: a batch takes them first-in first-out and ends before a second
/// fact for the same exchange and account, so two facts the venue reads from one queue about one account are never in
/// flight at once.</para>
/// </remarks>
public sealed class OutboundBridge : IActorRef, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<object> _ordered = new();
    private readonly Dictionary<string, AccountLimitsChanged> _limits = new(StringComparer.Ordinal);
    private readonly Queue<string> _limitsOrder = new();
    // At most one wake-up pending: a batch takes everything waiting, however many facts were told since the last one.
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConfirmingPublisher _publisher;
    private readonly TopologyNames _names;
    private readonly ILogger _log;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private bool _completed;
    private long _published;
    private long _messages;
    private long _dropped;
    private long _coalesced;

    /// <summary>Starts publishing through <paramref name="publisher"/>; subscribe it to the event stream.</summary>
    public OutboundBridge(ConfirmingPublisher publisher, TopologyNames names, ILogger log)
    {
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _names = names ?? throw new ArgumentNullException(nameof(names));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _loop = Task.Run(RunAsync);
        ClusterMetrics.Track(this);
    }

    /// <summary>The event types to subscribe it to (what it publishes; limits batches are published as their accounts' facts).</summary>
    public static IReadOnlyList<Type> Facts { get; } =
        [typeof(LiquidationOrderIssued), typeof(AccountLimitsChanged), typeof(AccountLimitsBatch), typeof(AccountStatusChanged), typeof(AutoDeleveraged)];

    /// <summary>The routing key of <see cref="AccountLimitsChangedBatch"/> messages (they hold many accounts).</summary>
    public const string LimitsRoutingKey = "limits";

    /// <summary>The most facts of each kind (ordered, coalesced limits) one batch publishes before awaiting their confirms.</summary>
    public static int BatchSize => 256;

    /// <inheritdoc />
    public ActorPath Path { get; } = ActorPath.Root("cluster").Child("outbound");

    /// <inheritdoc />
    public string Name => Path.Name;

    /// <summary>Facts published (and confirmed) so far; each account of a limits message counts once.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Broker messages published (and confirmed) so far: a limits message holds many accounts' facts.</summary>
    public long MessagesPublished => Interlocked.Read(ref _messages);

    /// <summary>Limit changes replaced by a newer one of the same account before they were published.</summary>
    public long Coalesced => Interlocked.Read(ref _coalesced);

    /// <summary>Facts waiting to be published: ordered facts plus accounts with limits waiting (at most one each).</summary>
    public int Backlog
    {
        get
        {
            lock (_gate)
            {
                return _ordered.Count + _limits.Count;
            }
        }
    }

    /// <inheritdoc />
    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            if (message is AccountLimitsChanged limits)
            {
                if (!Coalesce(limits))
                {
                    return;
                }
            }
            else if (message is AccountLimitsBatch batch)
            {
                var added = false;
                for (var i = 0; i < batch.Count; i++)
                {
                    added |= Coalesce(batch.At(i));
                }

                if (!added)
                {
                    return;
                }
            }
            else
            {
                _ordered.Enqueue(message);
            }
        }

        _signal.Writer.TryWrite(true);
    }

    // Under the gate: queues the account's limits, or replaces those still waiting in their place (then no signal is needed).
    private bool Coalesce(AccountLimitsChanged limits)
    {
        if (_limits.ContainsKey(limits.AccountId))
        {
            _limits[limits.AccountId] = limits;
            Interlocked.Increment(ref _coalesced);
            return false;
        }

        _limits[limits.AccountId] = limits;
        _limitsOrder.Enqueue(limits.AccountId);
        return true;
    }

    /// <summary>
    /// The exchange, routing key, message id, AMQP type and body <paramref name="fact"/> is published with; null for a
    /// message that is not one of <see cref="Facts"/> or an <see cref="AccountLimitsChangedBatch"/> (account limits are
    /// only ever published in one of those).
    /// </summary>
    public static (string Exchange, string RoutingKey, string MessageId, string Type, byte[] Body)? WireFormOf(object fact, TopologyNames names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var json = ClusterWireJsonContext.Default;
        return fact switch
        {
            LiquidationOrderIssued o => (names.LiquidationOrders, o.AccountId, o.OrderId, nameof(LiquidationOrderIssued), JsonSerializer.SerializeToUtf8Bytes(o, json.LiquidationOrderIssued)),
            AccountLimitsChangedBatch l => (names.AccountLimits, LimitsRoutingKey, Guid.NewGuid().ToString("N"), nameof(AccountLimitsChangedBatch),
                JsonSerializer.SerializeToUtf8Bytes(l, json.AccountLimitsChangedBatch)),
            AccountStatusChanged s => (names.MarginCalls, s.AccountId, Id($"status:{s.AccountId}:{s.ValuationTime.UtcTicks}:{s.To}"), nameof(AccountStatusChanged),
                JsonSerializer.SerializeToUtf8Bytes(s, json.AccountStatusChanged)),
            AutoDeleveraged a => (names.Adl, a.AccountId, a.ExecutionId, nameof(AutoDeleveraged),
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
        lock (_gate)
        {
            _completed = true;
        }

        _signal.Writer.TryWrite(true);
        if (await Task.WhenAny(_loop, Task.Delay(DrainTimeout)).ConfigureAwait(false) != _loop)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
        }

        ClusterMetrics.Untrack(this);
        _stop.Dispose();
    }

    /// <summary>How long <see cref="DisposeAsync"/> keeps publishing what was queued before it gives the rest up.</summary>
    public static TimeSpan DrainTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public override string ToString() => Path.ToString();

    private static string Id(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private async Task RunAsync()
    {
        while (await _signal.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            _signal.Reader.TryRead(out _);
            while (TakeBatch() is { Count: > 0 } batch)
            {
                if (_stop.IsCancellationRequested)
                {
                    Interlocked.Add(ref _dropped, batch.Count + DropAll());
                    break;
                }

                await PublishAsync(batch).ConfigureAwait(false);
            }

            lock (_gate)
            {
                if (_completed && _ordered.Count == 0 && _limits.Count == 0)
                {
                    break;
                }
            }
        }

        if (Dropped > 0)
        {
            _log.LogWarning("Outbound bridge stopped: {Published} facts published, {Dropped} given up", Published, Dropped);
        }
    }

    // Ordered facts first in first out, ending before a second one for the same exchange and account; then the
    // accounts whose limits wait the longest, each with its newest limits.
    private List<object> TakeBatch()
    {
        var batch = new List<object>();
        lock (_gate)
        {
            var keys = new HashSet<(Type, string)>();
            while (batch.Count < BatchSize && _ordered.TryPeek(out var fact) && keys.Add((fact.GetType(), AccountOf(fact))))
            {
                batch.Add(_ordered.Dequeue());
            }

            var limits = 0;
            while (limits < BatchSize && _limitsOrder.TryDequeue(out var account))
            {
                if (_limits.Remove(account, out var newest))
                {
                    batch.Add(newest);
                    limits++;
                }
            }
        }

        return batch;
    }

    private int DropAll()
    {
        lock (_gate)
        {
            var count = _ordered.Count + _limits.Count;
            _ordered.Clear();
            _limits.Clear();
            _limitsOrder.Clear();
            return count;
        }
    }

    private static string AccountOf(object fact) => fact switch
    {
        LiquidationOrderIssued o => o.AccountId,
        AccountStatusChanged s => s.AccountId,
        AutoDeleveraged a => a.AccountId,
        _ => "",
    };

    private async Task PublishAsync(List<object> batch)
    {
        var publishes = new List<(Task Confirmed, string Type, string Id, string Key, int Facts)>(batch.Count);
        List<AccountLimitsChanged>? limits = null;
        foreach (var fact in batch)
        {
            if (fact is AccountLimitsChanged changed)
            {
                (limits ??= new List<AccountLimitsChanged>(batch.Count)).Add(changed);
                continue;
            }

            Publish(fact, 1);
        }

        if (limits is not null)
        {
            Publish(new AccountLimitsChangedBatch(limits), limits.Count);
        }

        foreach (var (confirmed, type, id, key, facts) in publishes)
        {
            try
            {
                await confirmed.ConfigureAwait(false);
                Interlocked.Add(ref _published, facts);
                Interlocked.Increment(ref _messages);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                Interlocked.Add(ref _dropped, facts);
            }
            catch (Exception e) when (e is PublishFailedException or ObjectDisposedException)
            {
                Interlocked.Add(ref _dropped, facts);
                _log.LogError(e, "{Type} {MessageId} ({Facts} facts, routing key {Key}) not confirmed by the broker; dropped", type, id, facts, key);
            }
        }

        void Publish(object message, int facts)
        {
            if (WireFormOf(message, _names) is var (exchange, key, id, type, body))
            {
                publishes.Add((_publisher.PublishAsync(exchange, key, body, id, type, new PublishOptions { Mandatory = false }, _stop.Token), type, id, key, facts));
            }
        }
    }
}
