namespace CrossMargin.Engine.Prices;

/// <summary>
/// One asset's index band state: the last accepted index and its feed timestamp (the band's reference), the refused
/// jumps in a row that agree on a level, and an operator's override not used yet. Made by the feed (from the market
/// file, or the newer stored <see cref="IndexReference"/>) and handed to each price actor of the asset in turn, which
/// alone reads and writes it while it runs: a listing extension replaces the actor, and a failed one is re-created, and
/// none of it is lost with the actor.
/// </summary>
internal sealed class IndexBand(decimal index, DateTimeOffset timestamp)
{
    /// <summary>The last accepted index.</summary>
    public decimal Index { get; set; } = index;

    /// <summary>The feed timestamp of <see cref="Index"/> (the market file's valuation time for the file's).</summary>
    public DateTimeOffset Timestamp { get; set; } = timestamp;

    /// <summary>The refused jumps in a row that agree on a level; null after an accepted index.</summary>
    public JumpChain? Jump { get; set; }

    /// <summary>Whether an operator's <see cref="AcceptNextIndex"/> is armed.</summary>
    public bool AcceptNext { get; set; }

    /// <summary>The level the armed override is for; 0 for any.</summary>
    public decimal AcceptNear { get; set; }

    /// <summary>
    /// The id of the override armed now (null: none armed, or armed without an id). Not stored: a band loaded armed takes
    /// the last id of the row (<see cref="ArmedIdOf"/>), every override in a cluster having one. What a peer's row says of
    /// it decides whether it stays armed when the band adopts that row (see <see cref="PriceActor"/>'s peer reads).
    /// </summary>
    public string? ArmedId { get; set; }

    /// <summary>The id of the override <paramref name="stored"/> holds armed: its last id when armed, else null.</summary>
    public static string? ArmedIdOf(IndexReference stored) =>
        stored.AcceptNext ? stored.OverrideIds?.LastOrDefault(id => !string.IsNullOrEmpty(id)) : null;

    /// <summary>
    /// The last read of the stored reference a price actor of the asset started after a refused jump (null: none yet),
    /// and when it started by the node's clock: one read in flight per asset, whichever actor of the asset started it,
    /// and one a second at most while refusals go on.
    /// </summary>
    public Task? PeerRead { get; set; }

    /// <inheritdoc cref="PeerRead"/>
    public DateTimeOffset PeerReadAt { get; set; } = DateTimeOffset.MinValue;

    /// <summary>
    /// The ids of the last <see cref="MaxOverrideIds"/> overrides armed (spent or not), oldest first: a copy of one of
    /// them (a node's marks queue holding an override the stored state it loaded already has) is not armed again. More
    /// than the last one: two overrides may be published while a node starts, and the older one's copy comes first.
    /// </summary>
    public List<string> OverrideIds { get; } = [];

    /// <summary>How many override ids a band remembers (a few: overrides are an operator's, minutes apart at the most).</summary>
    public const int MaxOverrideIds = 8;

    /// <summary>Remembers <paramref name="id"/> as armed, forgetting the oldest beyond <see cref="MaxOverrideIds"/>.</summary>
    public void RememberOverride(string id)
    {
        OverrideIds.Add(id);
        if (OverrideIds.Count > MaxOverrideIds)
        {
            OverrideIds.RemoveRange(0, OverrideIds.Count - MaxOverrideIds);
        }
    }

    /// <summary>
    /// The indices accepted over the last <see cref="PriceOptions.IndexMoveWindow"/> of feed time, when
    /// <see cref="PriceOptions.MaxIndexMoveFractionPerWindow"/> is on (made at the first index judged); null otherwise.
    /// Not stored: a restarted node's window starts from its reference.
    /// </summary>
    public IndexWindow? Window { get; set; }

    /// <summary>
    /// The sequence number the state was last loaded or saved as of. A save is never below it: the state saved last is
    /// then the one a restart loads, even when its index is stamped before the one loaded (a restarted node has no
    /// timestamp to refuse an older tick with, and an override spent by such a tick would otherwise be loaded armed).
    /// </summary>
    public long SequenceNr { get; set; }

    /// <summary>Whether the state changed since it was last given to the store.</summary>
    public bool Unsaved { get; set; }

    /// <summary>
    /// The last save given to the store, whichever actor of the asset gave it (null: none yet). The next save starts
    /// after it, so the newer state is written last even when a listing extension replaced the actor mid-save; and a
    /// new actor that finds it unfinished or failed saves again, its outcome having gone to an actor that is gone.
    /// </summary>
    public Task? LastSave { get; set; }

    /// <summary>The band of a node's <paramref name="latest"/> market: its index of <paramref name="asset"/>, as of when it was accepted (or valued).</summary>
    public static IndexBand Of(LatestMarket latest, string asset) =>
        new(latest.Current.PriceOf(asset), latest.IndexTimes.TryGetValue(asset, out var at) ? at : latest.Current.ValuationTime);

    /// <summary>What of it is stored.</summary>
    public IndexReference ToReference(string asset) => new(asset, Index, Timestamp, AcceptNext, AcceptNear == 0m ? null : AcceptNear, OverrideIds.Count == 0 ? null : [.. OverrideIds]);
}
