namespace CrossMargin.Engine.Accounts;

/// <summary>The highest sequence number applied from one source.</summary>
/// <param name="Source">The source.</param>
/// <param name="Highest">Its highest sequence number.</param>
public sealed record SourceSequence(string Source, long Highest);
