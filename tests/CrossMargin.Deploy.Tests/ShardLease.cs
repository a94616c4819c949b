namespace CrossMargin.Deploy.Tests;

/// <summary>A live row of the <c>lease</c> table for one shard.</summary>
/// <param name="Owner">The node id holding it.</param>
/// <param name="Epoch">The fencing token.</param>
/// <param name="AcquiredAt">When the current holder took it (database clock).</param>
public sealed record ShardLease(string Owner, long Epoch, DateTimeOffset AcquiredAt);
