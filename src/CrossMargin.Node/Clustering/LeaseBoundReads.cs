using CrossMargin.Cluster.RabbitMq;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// Keeps the reads of one leased queue within the node's lease: a shard's (account views, margin explanations, pre-trade
/// checks, the coordinator's account views) or the liquidation singleton's (operators' reads of the liquidations, the
/// halts, the unbalanced auto-deleverage fills and the fund). Once the lease may have passed (<see cref="Cut"/>), a read
/// still in flight is cancelled, and one whose answer was ready anyway is not sent (its handler checks its token before
/// replying, <see cref="WithinLeaseAsync"/>). Its delivery goes back to the queue with the stop's other unsettled ones, in
/// delivery order, and the lease's next holder answers it from the state it holds. Writes pass untouched: the journal's
/// fence refuses one the lease no longer covers, and its delivery goes back the same way.
/// </summary>
/// <remarks>
/// Why back to the queue rather than a refusal: the requester then gets the next holder's answer within the same wait
/// (no new wire outcome, no retry to write), and a delivery the stopping consumer did not take at all already goes
/// back the same way. Answered here, a read made after another node took the shard could show a balance older than the
/// one that node has applied since: a pre-trade check approved against it is real money.
/// </remarks>
#pragma warning disable CA1001 // _cut is never disposed, on purpose (see there).
internal sealed class LeaseBoundReads
#pragma warning restore CA1001
{
    // How often a read's answer asks again whether the node's leases are current: only on a node past its self-fence point.
    private static readonly TimeSpan LeaseRecheck = TimeSpan.FromMilliseconds(50);

    private readonly ShardDeliveryHandler _inner;
    private readonly Func<string?, bool> _isRead;

    // Never disposed: a handler that ignored its cancellation may still link to it after the stop, and a source with no
    // timer holds nothing that needs releasing.
    private readonly CancellationTokenSource _cut = new();

    /// <summary>
    /// Passes every delivery to <paramref name="inner"/>, reads (the types <paramref name="isRead"/> names; by default a
    /// shard's, <see cref="IsRead"/>) with a token that <see cref="Cut"/> cancels.
    /// </summary>
    public LeaseBoundReads(ShardDeliveryHandler inner, Func<string?, bool>? isRead = null)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _isRead = isRead ?? IsRead;
    }

    /// <summary>Handles one delivery (a <see cref="ShardDeliveryHandler"/>).</summary>
    public Task HandleAsync(ShardDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return _isRead(delivery.Type) ? HandleReadAsync(delivery, cancellationToken) : _inner(delivery, cancellationToken);
    }

    /// <summary>
    /// The lease may have passed: reads in flight are cancelled and unanswered, reads from now on too. Call it only once
    /// the consumer is stopping (its <see cref="ShardConsumer.StopAsync"/> called), so that a cancelled read is returned to
    /// the queue, not counted a failure.
    /// </summary>
    public void Cut()
    {
        try
        {
            _cut.Cancel();
        }
        catch (AggregateException)
        {
            // A read's own registration that threw has ended that read; the others are cancelled all the same.
        }
    }

    /// <summary>Whether a shard's delivery of <paramref name="type"/> only reads its account.</summary>
    internal static bool IsRead(string? type) =>
        type is AccountMessageTypes.GetAccount or AccountMessageTypes.ExplainMargin or AccountMessageTypes.PreTrade or ClusterMessageTypes.GetAccountView;

    /// <summary>Whether a liquidation queue's delivery of <paramref name="type"/> only reads the coordinator or the fund.</summary>
    internal static bool IsLiquidationRead(string? type) =>
        type is ClusterMessageTypes.ListLiquidations or ClusterMessageTypes.ShowLiquidation or ClusterMessageTypes.ListHalts
            or ClusterMessageTypes.ListUnbalancedAdl or ClusterMessageTypes.ShowFund;

    /// <summary>
    /// Returns once a read's answer may be sent: its token not cut and the node's leases current
    /// (<paramref name="leasesCurrent"/>, <c>ClusterNode.LeasesCurrent</c>). A node frozen past its self-fence point (a long
    /// GC or VM pause) and thawed has not stopped what it serves yet, and another node may hold it by now: its answer waits
    /// until it has renewed (the freeze was short of the expiry) or its self-fence cuts the read, which then goes back to
    /// the queue for the next holder.
    /// </summary>
    internal static async ValueTask WithinLeaseAsync(Func<bool> leasesCurrent, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        while (!leasesCurrent())
        {
            await Task.Delay(LeaseRecheck, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task HandleReadAsync(ShardDelivery delivery, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cut.Token);
        await _inner(delivery, bound.Token).ConfigureAwait(false);
    }
}
