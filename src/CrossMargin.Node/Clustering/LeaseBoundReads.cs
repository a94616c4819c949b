using CrossMargin.Cluster.RabbitMq;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// Keeps one shard's reads (account views, margin explanations, pre-trade checks, the coordinator's account views)
/// within the node's lease: once the lease may have passed (<see cref="Cut"/>), a read still in flight is cancelled, and
/// one whose answer was ready anyway is not sent (<see cref="ShardDeliveries"/> checks its token before replying). Its
/// delivery goes back to the queue with the stop's other unsettled ones, in delivery order, and the shard's next holder
/// answers it from the state it holds. Writes pass untouched: the journal's fence refuses one the lease no longer covers,
/// and its delivery goes back the same way.
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
    private readonly ShardDeliveryHandler _inner;

    // Never disposed: a handler that ignored its cancellation may still link to it after the stop, and a source with no
    // timer holds nothing that needs releasing.
    private readonly CancellationTokenSource _cut = new();

    /// <summary>Passes every delivery to <paramref name="inner"/>, reads with a token that <see cref="Cut"/> cancels.</summary>
    public LeaseBoundReads(ShardDeliveryHandler inner) => _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>Handles one delivery (a <see cref="ShardDeliveryHandler"/>).</summary>
    public Task HandleAsync(ShardDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return IsRead(delivery.Type) ? HandleReadAsync(delivery, cancellationToken) : _inner(delivery, cancellationToken);
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

    /// <summary>Whether a delivery of <paramref name="type"/> only reads its account.</summary>
    internal static bool IsRead(string? type) =>
        type is AccountMessageTypes.GetAccount or AccountMessageTypes.ExplainMargin or AccountMessageTypes.PreTrade or ClusterMessageTypes.GetAccountView;

    private async Task HandleReadAsync(ShardDelivery delivery, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cut.Token);
        await _inner(delivery, bound.Token).ConfigureAwait(false);
    }
}
