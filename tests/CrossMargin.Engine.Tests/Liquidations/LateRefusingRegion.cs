using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Stands between the coordinator and the account region: forwards everything, except the auto-deleverage execution at
/// sequence 1 to <paramref name="accountId"/>, which it never delivers: it tells <paramref name="watcher"/>
/// <see cref="HoldingRegion.Held"/>, and answers it as the account would refuse it (its position changed) only on
/// <see cref="HoldingRegion.Release"/>, so a test can act while the coordinator waits for the refusal.
/// </summary>
internal sealed class LateRefusingRegion(IActorRef region, string accountId, IActorRef watcher) : UntypedActor
{
    private readonly List<(string MessageId, IActorRef Sender)> _held = [];

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ShardEnvelope { Message: ApplyExecution { Source: LiquidationCoordinator.AdlSource, Sequence: 1 } execution } envelope
                when envelope.EntityId == accountId:
                if (_held.Count == 0)
                {
                    watcher.Tell(HoldingRegion.Held.Instance, Self);
                }

                _held.Add((execution.MessageId, Sender));
                break;
            case HoldingRegion.Release:
                foreach (var (messageId, sender) in _held)
                {
                    sender.Tell(new CommandRejected(messageId, new Rejection(RejectionCode.PositionChanged, "refused by the test")), Self);
                }

                _held.Clear();
                break;
            default:
                region.Tell(message, Sender);
                break;
        }
    }
}
