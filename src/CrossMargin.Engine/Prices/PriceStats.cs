using System.Collections.Frozen;

namespace CrossMargin.Engine.Prices;

/// <summary>The price pipeline's counters since the feed started; immutable.</summary>
/// <param name="Accepted">Updates that passed validation.</param>
/// <param name="Rejected">Refused updates by reason; every reason is present, most with 0.</param>
/// <param name="Conflated">Accepted updates overwritten by a newer one of the same symbol before a snapshot took them.</param>
/// <param name="SnapshotsPublished">Snapshots published to <see cref="LatestMarket"/> (the initial one not counted).</param>
/// <param name="SnapshotFailures">Snapshots that could not be built (logged as errors; the previous market stays current).</param>
/// <param name="HeldMarksReplaced">
/// Perpetual and future marks an index move left beyond the band, replaced by the index (or its forward) until the
/// instrument's next mark: a count that grows while the index moves and the feed's marks for them do not.
/// </param>
/// <param name="HeldOptionMarksRepriced">
/// Option marks re-priced after an index move (Black-76 on the forward at the new index, at the vol the mark carried),
/// counted when the re-priced mark differs from the one held: it grows with every index move while the feed does not
/// mark the options at the new index.
/// </param>
/// <param name="IndexTimes">
/// The timestamp of the newest accepted index of each asset that had one accepted since the feed started. A feed that
/// stops leaves its last price in force, and every margin on it; this is where its age shows (<see cref="SilentFor"/>).
/// </param>
public sealed record PriceStats(
    long Accepted,
    FrozenDictionary<PriceRejectionReason, long> Rejected,
    long Conflated,
    long SnapshotsPublished,
    long SnapshotFailures,
    long HeldMarksReplaced,
    long HeldOptionMarksRepriced,
    FrozenDictionary<string, DateTimeOffset> IndexTimes)
{
    /// <summary>The assets whose newest accepted index is older than <paramref name="after"/> at <paramref name="now"/>, in ordinal order.</summary>
    public IReadOnlyList<string> SilentFor(DateTimeOffset now, TimeSpan after) =>
        [.. IndexTimes.Where(t => now - t.Value > after).Select(t => t.Key).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Indices accepted beyond <see cref="PriceOptions.MaxIndexMoveFraction"/> because the feed confirmed their level
    /// (<see cref="PriceOptions.IndexJumpConfirmations"/> updates in a row after a refused jump).
    /// </summary>
    public long IndexJumpsConfirmed { get; init; }

    /// <summary>Indices accepted on an operator's <see cref="AcceptNextIndex"/> (whatever their move).</summary>
    public long IndexJumpsOverridden { get; init; }

    /// <summary>
    /// Times a node that refused an index as a jump took, as its band's reference, a newer one a peer saved (the node had
    /// missed what let the peers through: an operator's override, or the ticks that confirmed the level).
    /// </summary>
    public long IndexReferencesAdoptedFromPeers { get; init; }

    /// <summary>Refused updates, all reasons together.</summary>
    public long TotalRejected => Rejected.Values.Sum();

    /// <summary>Refused updates for <paramref name="reason"/>.</summary>
    public long RejectedFor(PriceRejectionReason reason) => Rejected.GetValueOrDefault(reason);
}
