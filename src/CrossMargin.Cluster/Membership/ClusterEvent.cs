namespace CrossMargin.Cluster.Membership;

/// <summary>One membership or hand-off event, as recorded for operators (<c>cm cluster tail</c>).</summary>
/// <param name="Id">Increasing: read on after the last one seen.</param>
/// <param name="At">When, by the database clock.</param>
/// <param name="NodeId">The node it is about (or that recorded it).</param>
/// <param name="Kind">E.g. <c>joined</c>, <c>leaving</c>, <c>left</c>, <c>down</c>, <c>shard-acquired</c>, <c>shard-released</c>, <c>shard-lost</c>, <c>shard-assigned</c>.</param>
/// <param name="Detail">Human-readable specifics.</param>
public sealed record ClusterEvent(long Id, DateTimeOffset At, string NodeId, string Kind, string Detail);
