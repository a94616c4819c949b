using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using CrossMargin.Actors;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// The breach-report reference of a cluster node's accounts: publishes each <see cref="AccountBreached"/>, with
/// publisher confirms, to the liquidation queue, where it waits for whichever node holds the liquidation singleton.
/// Accounts report on every re-assessment while breached (each mark); one report per account per
/// <c>interval</c> is enough (and a change of status always goes), since the coordinator keeps one liquidation per
/// account and a lost report is followed by the next.
/// </summary>
public sealed class BreachForwarder : IActorRef
{
    private readonly Func<ConfirmingPublisher?> _publisher;
    private readonly string _queue;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Risk.Margin.MarginStatus Status)> _last = new(StringComparer.Ordinal);
    private long _published;

    /// <summary>Creates the forwarder; <paramref name="publisher"/> is read per report (null until the node is connected).</summary>
    public BreachForwarder(Func<ConfirmingPublisher?> publisher, string queue, TimeSpan interval, TimeProvider time, ILogger log)
    {
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _interval = interval;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    /// <inheritdoc />
    public ActorPath Path { get; } = ActorPath.Root("cluster").Child("breach-forwarder");

    /// <inheritdoc />
    public string Name => Path.Name;

    /// <summary>Reports published (and confirmed) so far.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <inheritdoc />
    public void Tell(object message, IActorRef? sender)
    {
        if (message is not AccountBreached breach || !Due(breach))
        {
            return;
        }

        _ = PublishAsync(breach);
    }

    private bool Due(AccountBreached breach)
    {
        var now = _time.GetUtcNow();
        var due = true;
        _last.AddOrUpdate(breach.AccountId, (now, breach.Status), (_, last) =>
        {
            due = last.Status != breach.Status || now - last.At >= _interval;
            return due ? (now, breach.Status) : last;
        });
        return due;
    }

    private async Task PublishAsync(AccountBreached breach)
    {
        if (_publisher() is not { } publisher)
        {
            _log.LogWarning("Breach report of {AccountId} before the node connected to the broker; the next re-assessment reports again", breach.AccountId);
            _last.TryRemove(breach.AccountId, out _);
            return;
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"breach:{breach.AccountId}:{breach.ValuationTime.UtcTicks}:{breach.Status}");
        try
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(breach, ClusterWireJsonContext.Default.AccountBreached);
            // Signed: the singleton's holder takes the liquidation queue's messages only from the cluster's own user.
            await publisher.PublishAsync("", _queue, body, id, ClusterMessageTypes.Breach, new PublishOptions { UserId = publisher.UserName }).ConfigureAwait(false);
            Interlocked.Increment(ref _published);
        }
        catch (Exception e) when (e is PublishFailedException or ObjectDisposedException or OperationCanceledException)
        {
            // Not confirmed: forget the throttle so the account's next re-assessment publishes again.
            _last.TryRemove(breach.AccountId, out _);
            _log.LogWarning(e, "Breach report of {AccountId} not confirmed by the broker; the next re-assessment reports again", breach.AccountId);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Path.ToString();
}
