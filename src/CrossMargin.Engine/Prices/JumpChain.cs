namespace CrossMargin.Engine.Prices;

/// <summary>The last of the refused index jumps in a row that agree on a level, its feed timestamp, and how many there were.</summary>
internal readonly record struct JumpChain(decimal Level, DateTimeOffset Timestamp, int Count);
