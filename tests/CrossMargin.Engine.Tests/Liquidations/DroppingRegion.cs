using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Stands between the coordinator and the account region: forwards everything except the first account command that
/// <paramref name="drops"/> picks, which is lost on its way (never delivered, never answered), or with
/// <paramref name="answerLost"/> delivered and its answer lost.
/// </summary>
internal sealed class DroppingRegion(IActorRef region, Func<IAccountCommand, bool> drops, bool answerLost = false) : UntypedActor
{
    private bool _dropped;

    protected override void OnReceive(object message)
    {
        if (!_dropped && message is ShardEnvelope { Message: IAccountCommand command } && drops(command))
        {
            _dropped = true;
            if (answerLost)
            {
                region.Tell(message, Context.ActorOf(Props.Create(() => new Swallow())));
            }

            return;
        }

        region.Tell(message, Sender);
    }

    /// <summary>Takes the one answer and stops.</summary>
    private sealed class Swallow : UntypedActor
    {
        protected override void OnReceive(object message) => Context.Stop(Self);
    }
}
