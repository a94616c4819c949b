using System.Collections.Frozen;

namespace CrossMargin.Engine.Prices;

/// <summary>
/// Counters shared by the feed, its price actors and the publisher. Plain interlocked longs rather than a message
/// round trip: they are metrics, read at any time, and each is written before the effect it counts is observable
/// (a rejection reply, a published snapshot), so a reader that saw the effect sees the count.
/// </summary>
internal sealed class PriceCounters
{
    private static readonly PriceRejectionReason[] Reasons = Enum.GetValues<PriceRejectionReason>();
    private readonly long[] _rejected = new long[Reasons.Length];
    private long _accepted;
    private long _conflated;
    private long _snapshots;
    private long _failures;
    private long _heldReplaced;
    private long _optionsRepriced;
    private long _jumpsConfirmed;
    private long _jumpsOverridden;
    private long _adoptedFromPeers;

    public void Accepted() => Interlocked.Increment(ref _accepted);

    public void Rejected(PriceRejectionReason reason) => Interlocked.Increment(ref _rejected[(int)reason]);

    public void Conflated() => Interlocked.Increment(ref _conflated);

    public void SnapshotPublished() => Interlocked.Increment(ref _snapshots);

    public void SnapshotFailed() => Interlocked.Increment(ref _failures);

    public void HeldMarkReplaced() => Interlocked.Increment(ref _heldReplaced);

    public void HeldOptionMarkRepriced() => Interlocked.Increment(ref _optionsRepriced);

    public void IndexJumpConfirmed() => Interlocked.Increment(ref _jumpsConfirmed);

    public void IndexJumpOverridden() => Interlocked.Increment(ref _jumpsOverridden);

    public void IndexReferenceAdoptedFromPeer() => Interlocked.Increment(ref _adoptedFromPeers);

    /// <summary>The counters, with <paramref name="indexTimes"/> (the node's <see cref="LatestMarket.IndexTimes"/>).</summary>
    public PriceStats Read(FrozenDictionary<string, DateTimeOffset> indexTimes) => new(
        Interlocked.Read(ref _accepted),
        Reasons.ToFrozenDictionary(r => r, r => Interlocked.Read(ref _rejected[(int)r])),
        Interlocked.Read(ref _conflated),
        Interlocked.Read(ref _snapshots),
        Interlocked.Read(ref _failures),
        Interlocked.Read(ref _heldReplaced),
        Interlocked.Read(ref _optionsRepriced),
        indexTimes)
    {
        IndexJumpsConfirmed = Interlocked.Read(ref _jumpsConfirmed),
        IndexJumpsOverridden = Interlocked.Read(ref _jumpsOverridden),
        IndexReferencesAdoptedFromPeers = Interlocked.Read(ref _adoptedFromPeers),
    };
}
