namespace CrossMargin.Cluster.Leases;

/// <summary>A lease row as stored, held or not, for operators and the shard coordinator.</summary>
/// <param name="Name">The lease.</param>
/// <param name="Owner">Its holder, or null once released.</param>
/// <param name="Epoch">The current fencing token.</param>
/// <param name="ExpiresAt">When it lapses (or lapsed).</param>
/// <param name="IsLive">Held and unexpired when read, by the database clock.</param>
public sealed record LeaseRecord(string Name, string? Owner, long Epoch, DateTimeOffset ExpiresAt, bool IsLive);
