using CrossMargin.Actors;

namespace CrossMargin.Cluster.Sharding;

/// <summary>
/// Gathers every shard's entity count for one <see cref="GetShardRegionStats"/>, replies and stops, so the region
/// itself never waits. A shard that does not answer in time (it was restarting) is reported with the counts it had: none.
/// </summary>
internal sealed class ShardStatsCollector(IReadOnlyList<IActorRef> shards, IActorRef replyTo) : ActorBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private readonly Dictionary<int, int> _counts = [];

    protected override void PreStart()
    {
        foreach (var shard in shards)
        {
            shard.Tell(GetShardEntityCount.Instance, Self);
        }

        Context.SetReceiveTimeout(Patience);
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case ShardEntityCount count:
                _counts[count.ShardId] = count.Count;
                if (_counts.Count == shards.Count)
                {
                    Reply();
                }

                return true;
            case ReceiveTimeout:
                Reply();
                return true;
            default:
                return false;
        }
    }

    private void Reply()
    {
        replyTo.Tell(new ShardRegionStats(new SortedDictionary<int, int>(_counts)), Context.Parent);
        Context.Stop(Self);
    }
}
