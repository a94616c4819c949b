using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Stands between the coordinator and the account region: forwards everything, but just before the first execution
/// with message id <paramref name="watchedMessageId"/> that states the position it reduces (any, unless
/// <paramref name="statedOnly"/>: a reversal states none), it delivers <paramref name="racing"/> to the same account, as a
/// venue message arriving first would be; <paramref name="first"/>, when given, runs just before that (a market published, say).
/// </summary>
internal sealed class RacingRegion(IActorRef region, string watchedMessageId, IAccountCommand racing, Action? first = null, bool statedOnly = true) : UntypedActor
{
    private bool _raced;

    protected override void OnReceive(object message)
    {
        if (!_raced && message is ShardEnvelope { Message: ApplyExecution execution } envelope
            && (execution.ReducesPosition is not null || !statedOnly) && execution.MessageId == watchedMessageId)
        {
            _raced = true;
            first?.Invoke();
            region.Tell(new ShardEnvelope(envelope.EntityId, racing), ActorRefs.Nobody);
        }

        region.Tell(message, Sender);
    }
}
