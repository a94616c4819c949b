using CrossMargin.Persistence.Serialization;
using CrossMargin.Persistence.Snapshots;

namespace CrossMargin.Engine.Prices;

/// <summary>
/// Keeps each asset's <see cref="IndexReference"/> in the engine's snapshot store (SQLite embedded, the cluster's
/// PostgreSQL), under the persistence id <c>price-index-{asset}</c> and as of a sequence number that is the reference's
/// feed timestamp in microseconds since the Unix epoch.
/// </summary>
/// <remarks>
/// The snapshot store rather than a journal: only the latest reference is ever wanted, so a journal would be a history
/// nobody replays, and each node of a cluster would need an id of its own (a journal has one writer per id). In the
/// snapshot store the sequence number orders the references, and the feed timestamp is the order every node agrees on
/// (the venue's): the reference loaded is the newest any node saved, whichever it was, and two nodes saving the same
/// timestamp replace one row. Each save deletes the older references of the asset, so a handful of rows per asset are
/// kept (one per node at most between two saves).
/// </remarks>
internal sealed class IndexReferenceStore(ISnapshotStore snapshots, EventTypeRegistry registry, DateTimeOffset marketFileTime)
{
    /// <summary>
    /// When the market file the node opened with was written (its valuation time): a stored reference older than the
    /// file is not used, the file being the newer word on the price (an operator's fresh file after a long outage).
    /// </summary>
    public DateTimeOffset MarketFileTime { get; } = marketFileTime;

    /// <summary>The persistence id of <paramref name="asset"/>'s reference.</summary>
    public static string PersistenceIdOf(string asset) => "price-index-" + asset;

    /// <summary>The sequence number a reference is stored as of: its feed timestamp in microseconds since the Unix epoch.</summary>
    public static long SequenceNrOf(DateTimeOffset timestamp) => (timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>
    /// The newest reference stored for <paramref name="asset"/> by any node at or below <paramref name="maxSequenceNr"/>,
    /// with its sequence number, or null.
    /// </summary>
    public async Task<(IndexReference Reference, long SequenceNr)?> LoadAsync(string asset, long maxSequenceNr = long.MaxValue, CancellationToken cancellationToken = default)
    {
        var stored = await snapshots.LoadAsync(PersistenceIdOf(asset), maxSequenceNr, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : (registry.Deserialize<IndexReference>(stored.Snapshot), stored.Metadata.SequenceNr);
    }

    /// <summary>
    /// The newest reference stored for <paramref name="asset"/> that is valid (<see cref="IsValid"/>), with its sequence
    /// number, or null; and what was passed over above it, newest first, each said in words (the reference and "is not
    /// valid", or the row's sequence number and why it does not read). A row that is not valid (damaged, stamped beyond
    /// the clock, or whose payload does not read: a newer node's form, a damaged write) is passed over, not allowed to
    /// hide the valid one beneath it; at most <see cref="MaxPassedOver"/> are, then null. The rule of a feed's start and
    /// of a price actor's read after a refused jump alike.
    /// </summary>
    public async Task<((IndexReference Reference, long SequenceNr)? Newest, IReadOnlyList<string> PassedOver)> LoadNewestValidAsync(
        string asset, DateTimeOffset notAfter, CancellationToken cancellationToken = default)
    {
        var passedOver = new List<string>();
        var below = long.MaxValue;
        while (passedOver.Count <= MaxPassedOver && await snapshots.LoadAsync(PersistenceIdOf(asset), below, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            var sequenceNr = stored.Metadata.SequenceNr;
            below = sequenceNr - 1;
            IndexReference reference;
            try
            {
                reference = registry.Deserialize<IndexReference>(stored.Snapshot);
            }
            catch (EventSerializationException e)
            {
                passedOver.Add(FormattableString.Invariant($"as of sequence number {sequenceNr} does not read: {e.Message}"));
                continue;
            }

            if (IsValid(asset, reference, notAfter))
            {
                return ((reference, sequenceNr), passedOver);
            }

            passedOver.Add($"{reference} is not valid");
        }

        return (null, passedOver);
    }

    /// <summary>The rows not valid read past before giving up: a few damaged rows, not a table scan.</summary>
    public const int MaxPassedOver = 8;

    /// <summary>
    /// Whether <paramref name="stored"/> is one a node can have saved for <paramref name="asset"/>: its asset, a positive
    /// index, a positive level or none, and stamped no later than <paramref name="notAfter"/> (the clock plus
    /// <see cref="PriceOptions.MaxFutureSkew"/>: a timestamp further ahead is not one any node accepted).
    /// </summary>
    public static bool IsValid(string asset, IndexReference stored, DateTimeOffset notAfter) =>
        string.Equals(stored.Asset, asset, StringComparison.Ordinal) && stored.Index > 0m && stored.AcceptNear is null or > 0m && stored.Timestamp <= notAfter;

    /// <summary>Stores <paramref name="reference"/> as of its timestamp and deletes the asset's older ones; completes when durable.</summary>
    public Task SaveAsync(IndexReference reference) => SaveAsync(reference, SequenceNrOf(reference.Timestamp));

    /// <summary>
    /// Stores <paramref name="reference"/> as of <paramref name="sequenceNr"/> (its timestamp's, or above: see
    /// <see cref="IndexBand.SequenceNr"/>) and deletes the asset's older ones; completes when durable.
    /// </summary>
    public async Task SaveAsync(IndexReference reference, long sequenceNr)
    {
        var id = PersistenceIdOf(reference.Asset);
        await snapshots.SaveAsync(id, sequenceNr, registry.Serialize(reference)).ConfigureAwait(false);
        await snapshots.DeleteAsync(id, sequenceNr - 1).ConfigureAwait(false);
    }
}
