using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Stands between the coordinator and the account region: forwards everything except the first <paramref name="lost"/>
/// broadcasts (an auto-deleverage round's request for the views of every account in an underlying), which no account
/// hears, as a cluster's view query whose answers all came too late.
/// </summary>
internal sealed class DeafRegion(IActorRef region, int lost) : UntypedActor
{
    private int _lost;

    /// <summary>How many broadcasts were lost so far.</summary>
    public sealed record Lost(int Count);

    protected override void OnReceive(object message)
    {
        if (message is ShardBroadcast && _lost < lost)
        {
            _lost++;
            Context.System.EventStream.Publish(new Lost(_lost));
            return;
        }

        region.Tell(message, Sender);
    }
}
