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
/// <para>
/// Beside them, under <c>price-override-{asset}</c>, the operator's overrides as the nodes that took them recorded them
/// before publishing (<see cref="IndexOverrideRecord"/>, the last <see cref="IndexBand.MaxOverrideIds"/>, as of the
/// taking node's clock): the newest reference is one node's, and another node's newer save made before an override
/// reached it replaces the row that held it armed, so the references alone can lose an override a starting node needs.
/// </para>
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

    /// <summary>The persistence id of <paramref name="asset"/>'s recorded overrides.</summary>
    public static string OverridesPersistenceIdOf(string asset) => "price-override-" + asset;

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

    /// <summary>
    /// Records <paramref name="record"/> as of <paramref name="sequenceNr"/> (replacing a record at the same one: its
    /// withdrawal) and deletes the asset's records older than the last <see cref="IndexBand.MaxOverrideIds"/>; completes when durable.
    /// </summary>
    public async Task RecordOverrideAsync(IndexOverrideRecord record, long sequenceNr, CancellationToken cancellationToken = default)
    {
        var id = OverridesPersistenceIdOf(record.Asset);
        await snapshots.SaveAsync(id, sequenceNr, registry.Serialize(record), cancellationToken).ConfigureAwait(false);
        var below = long.MaxValue;
        for (var kept = 0; kept < IndexBand.MaxOverrideIds; kept++)
        {
            if (await snapshots.LoadAsync(id, below, cancellationToken).ConfigureAwait(false) is not { } newer)
            {
                return;
            }

            below = newer.Metadata.SequenceNr - 1;
        }

        await snapshots.DeleteAsync(id, below, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last <see cref="IndexBand.MaxOverrideIds"/> overrides recorded for <paramref name="asset"/>, oldest first.</summary>
    public async Task<IReadOnlyList<IndexOverrideRecord>> LoadOverridesAsync(string asset, CancellationToken cancellationToken = default)
    {
        var records = new List<IndexOverrideRecord>();
        var below = long.MaxValue;
        while (records.Count < IndexBand.MaxOverrideIds
            && await snapshots.LoadAsync(OverridesPersistenceIdOf(asset), below, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            records.Add(registry.Deserialize<IndexOverrideRecord>(stored.Snapshot));
            below = stored.Metadata.SequenceNr - 1;
        }

        records.Reverse();
        return records;
    }
}
