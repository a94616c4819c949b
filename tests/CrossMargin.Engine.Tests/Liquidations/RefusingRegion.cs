using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Stands between the coordinator and the account region: forwards everything, except that it answers the command with
/// message id <paramref name="refusedMessageId"/> as its account would refuse it, without delivering it.
/// </summary>
internal sealed class RefusingRegion(IActorRef region, string refusedMessageId) : UntypedActor
{
    protected override void OnReceive(object message)
    {
        if (message is ShardEnvelope { Message: IAccountCommand command } && command.MessageId == refusedMessageId)
        {
            Sender.Tell(new CommandRejected(command.MessageId, new Rejection(RejectionCode.InvalidMessage, "refused by the test")), Self);
            return;
        }

        region.Tell(message, Sender);
    }
}
