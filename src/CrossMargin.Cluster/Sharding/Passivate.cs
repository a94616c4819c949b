namespace CrossMargin.Cluster.Sharding;

/// <summary>
/// Sent by an entity to its shard (<c>Context.Parent</c>) to be stopped: the shard sends it
/// <paramref name="StopMessage"/> and buffers messages for it until it has stopped, then starts it afresh for them
/// (or forgets it when none came).
/// </summary>
/// <param name="StopMessage">What stops the entity once it has handled what it already has, e.g. <c>PoisonPill.Instance</c>.</param>
public sealed record Passivate(object StopMessage);
