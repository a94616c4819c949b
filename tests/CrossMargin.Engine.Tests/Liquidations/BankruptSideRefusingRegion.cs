using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Stands between the coordinator and the account region: forwards everything, except that it answers the first
/// <paramref name="times"/> bankrupt sides of auto-deleverage fills (message ids ending ":bankrupt") as their account
/// would refuse them with <paramref name="code"/>, without delivering them.
/// </summary>
internal sealed class BankruptSideRefusingRegion(IActorRef region, RejectionCode code, int times = int.MaxValue) : UntypedActor
{
    private int _refused;

    protected override void OnReceive(object message)
    {
        if (_refused < times && message is ShardEnvelope { Message: ApplyExecution command } && command.MessageId.EndsWith(":bankrupt", StringComparison.Ordinal))
        {
            _refused++;
            Sender.Tell(new CommandRejected(command.MessageId, new Rejection(code, $"{command.MessageId}: refused {code} by the test")), Self);
            return;
        }

        region.Tell(message, Sender);
    }
}
