namespace CrossMargin.Engine.Accounts;

/// <summary>The deduplication state of an account, as persisted in its snapshot.</summary>
/// <param name="Capacity">How many recent message ids are remembered.</param>
/// <param name="Sources">Each source's highest sequence, ordered by source (ordinal).</param>
/// <param name="RecentIds">
/// The remembered ids as text, oldest first (the eviction order): what snapshots written before the ledger kept hashes
/// hold. A ledger writes none; one restored from such a snapshot hashes them.
/// </param>
/// <param name="RecentIdHashes">
/// The remembered ids as <see cref="MessageLedger.HashOf"/> (32 hex digits), oldest first, after any
/// <paramref name="RecentIds"/>; null in snapshots written before.
/// </param>
public sealed record MessageLedgerSnapshot(
    int Capacity, IReadOnlyList<SourceSequence> Sources, IReadOnlyList<string> RecentIds, IReadOnlyList<string>? RecentIdHashes = null);
