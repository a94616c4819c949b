using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Stands between the coordinator and the account region: forwards everything, and the accounts' answers to the commands
/// it forwards go to <paramref name="watcher"/> as well as to their sender, so a test can read them (a gap the account
/// reported, say).
/// </summary>
internal sealed class ReplyWatchingRegion(IActorRef region, IActorRef watcher) : UntypedActor
{
    protected override void OnReceive(object message)
    {
        if (message is ShardEnvelope { Message: IAccountCommand })
        {
            var sender = Sender;
            region.Tell(message, Context.ActorOf(Props.Create(() => new Answer(sender, watcher))));
            return;
        }

        region.Tell(message, Sender);
    }

    /// <summary>Hands one answer to the sender and the watcher, then stops.</summary>
    private sealed class Answer(IActorRef sender, IActorRef watcher) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            watcher.Tell(message, Self);
            sender.Tell(message, Self);
            Context.Stop(Self);
        }
    }
}
