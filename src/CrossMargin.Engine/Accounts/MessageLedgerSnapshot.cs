namespace CrossMargin.Engine.Accounts;

/// <summary>The deduplication state of an account, as persisted in its snapshot.</summary>
/// <param name="Capacity">How many recent message ids are remembered.</param>
/// <param name="Sources">Each source's highest sequence, ordered by source (ordinal).</param>
/// <param name="RecentIds">The remembered ids, oldest first (the eviction order).</param>
public sealed record MessageLedgerSnapshot(int Capacity, IReadOnlyList<SourceSequence> Sources, IReadOnlyList<string> RecentIds);
