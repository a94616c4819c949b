using System.Collections.Frozen;

namespace CrossMargin.Engine.Prices;

/// <summary>The price pipeline's counters since the feed started; immutable.</summary>
/// <param name="Accepted">Updates that passed validation.</param>
/// <param name="Rejected">Refused updates by reason; every reason is present, most with 0.</param>
/// <param name="Conflated">Accepted updates overwritten by a newer one of the same symbol before a snapshot took them.</param>
/// <param name="SnapshotsPublished">Snapshots published to <see cref="LatestMarket"/> (the initial one not counted).</param>
/// <param name="SnapshotFailures">Snapshots that could not be built (logged as errors; the previous market stays current).</param>
public sealed record PriceStats(
    long Accepted,
    FrozenDictionary<PriceRejectionReason, long> Rejected,
    long Conflated,
    long SnapshotsPublished,
    long SnapshotFailures)
{
    /// <summary>Refused updates, all reasons together.</summary>
    public long TotalRejected => Rejected.Values.Sum();

    /// <summary>Refused updates for <paramref name="reason"/>.</summary>
    public long RejectedFor(PriceRejectionReason reason) => Rejected.GetValueOrDefault(reason);
}
