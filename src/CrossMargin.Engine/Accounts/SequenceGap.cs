namespace CrossMargin.Engine.Accounts;

/// <summary>Sequence numbers of one source that were skipped (inclusive range), reported when a later one arrived.</summary>
/// <param name="Source">The source.</param>
/// <param name="From">The first missing sequence number.</param>
/// <param name="To">The last missing sequence number.</param>
public sealed record SequenceGap(string Source, long From, long To);
