namespace CrossMargin.Cluster.Sharding;

/// <summary>
/// An envelope a <see cref="ShardRouter"/> sent through its region because shard <paramref name="ShardId"/> was not
/// running (or had envelopes on their way): the region routes it as a plain envelope and then tells the router it did.
/// </summary>
internal sealed record RouteEnvelope(ShardEnvelope Envelope, int ShardId);
