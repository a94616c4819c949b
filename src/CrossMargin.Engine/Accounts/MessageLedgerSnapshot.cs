using System.Text.Json.Serialization;

namespace CrossMargin.Engine.Accounts;

/// <summary>The deduplication state of an account, as persisted in its snapshot.</summary>
/// <param name="Capacity">How many recent message ids are remembered.</param>
/// <param name="Sources">Each source's highest sequence, ordered by source (ordinal).</param>
/// <param name="RecentIds">
/// The remembered ids as text, oldest first (the eviction order): what snapshots written before the ledger kept hashes
/// hold. A ledger writes none; one restored from such a snapshot takes their fingerprints.
/// </param>
/// <param name="RecentIdHashes">
/// The remembered ids as the first 16 bytes of their SHA-256 (32 hex digits), oldest first, after any
/// <paramref name="RecentIds"/>: what snapshots written before fingerprints hold. A ledger writes none; one restored from
/// such a snapshot keeps their first 32 bits, which are the ids' fingerprints. Not written when null.
/// </param>
/// <param name="RecentIdFingerprints">
/// The remembered ids as <see cref="MessageLedger.FingerprintOf"/>, oldest first, after any of the above; null in
/// snapshots written before.
/// </param>
public sealed record MessageLedgerSnapshot(
    int Capacity,
    IReadOnlyList<SourceSequence> Sources,
    IReadOnlyList<string> RecentIds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? RecentIdHashes = null,
    IReadOnlyList<uint>? RecentIdFingerprints = null);
