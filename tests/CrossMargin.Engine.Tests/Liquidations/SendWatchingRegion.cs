using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Stands between the coordinator and the account region: forwards everything, and tells <paramref name="watcher"/> each
/// account command it forwards, in the order it forwards them, so a test can see what was sent to whom.
/// </summary>
internal sealed class SendWatchingRegion(IActorRef region, IActorRef watcher) : UntypedActor
{
    protected override void OnReceive(object message)
    {
        if (message is ShardEnvelope { Message: IAccountCommand command } envelope)
        {
            watcher.Tell(new Sent(envelope.EntityId, command), Self);
        }

        region.Tell(message, Sender);
    }

    /// <summary><paramref name="Command"/> was forwarded to <paramref name="AccountId"/>.</summary>
    public sealed record Sent(string AccountId, IAccountCommand Command);
}
