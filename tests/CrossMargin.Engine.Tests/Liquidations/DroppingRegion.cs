using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Stands between the coordinator and the account region: forwards everything except the first account command that
/// <paramref name="drops"/> picks, which is lost on its way (never delivered, never answered).
/// </summary>
internal sealed class DroppingRegion(IActorRef region, Func<IAccountCommand, bool> drops) : UntypedActor
{
    private bool _dropped;

    protected override void OnReceive(object message)
    {
        if (!_dropped && message is ShardEnvelope { Message: IAccountCommand command } && drops(command))
        {
            _dropped = true;
            return;
        }

        region.Tell(message, Sender);
    }
}
