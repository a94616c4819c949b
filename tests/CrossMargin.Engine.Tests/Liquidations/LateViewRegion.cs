using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Stands between the coordinator and the account region: forwards everything, except that the answer to the
/// <paramref name="held"/>-th <see cref="GetAccount"/> addressed to <paramref name="accountId"/> (the first by default) is held back (the account answers at once: the view
/// is from then, its delivery late) and <paramref name="watcher"/> is told <see cref="HoldingRegion.Held"/>. The held view
/// reaches the one who asked for it just before the next view request to that account (with <paramref name="afterCover"/>,
/// the first that follows a <see cref="CoverDeficit"/> to it): an answer to an earlier request arrives while the
/// coordinator waits for the answer to a later one (a view from before the cover while it waits for one from after it).
/// </summary>
internal sealed class LateViewRegion(IActorRef region, string accountId, IActorRef watcher, bool afterCover = true, int held = 1) : UntypedActor
{
    private int _asked;
    private bool _covered = !afterCover;
    private (object View, IActorRef Sender)? _late;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ShardEnvelope { Message: GetAccount } envelope when envelope.EntityId == accountId && ++_asked == held:
                var self = Self;
                var sender = Sender;
                region.Tell(message, Context.ActorOf(Props.Create(() => new Catch(self, sender))));
                break;
            case ShardEnvelope { Message: CoverDeficit } envelope when envelope.EntityId == accountId:
                _covered = true;
                region.Tell(message, Sender);
                break;
            case ShardEnvelope { Message: GetAccount } envelope when envelope.EntityId == accountId && _covered && _late is var (view, to):
                _late = null;
                to.Tell(view, Self);
                region.Tell(message, Sender);
                break;
            case Caught caught:
                _late = (caught.View, caught.Sender);
                watcher.Tell(HoldingRegion.Held.Instance, Self);
                break;
            default:
                region.Tell(message, Sender);
                break;
        }
    }

    private sealed record Caught(object View, IActorRef Sender);

    /// <summary>Hands the one answer it gets back to the region stand-in, then stops.</summary>
    private sealed class Catch(IActorRef holder, IActorRef sender) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            holder.Tell(new Caught(message, sender), Self);
            Context.Stop(Self);
        }
    }
}
