using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Stands between the coordinator and the account region: forwards everything, except that it holds back the first
/// <see cref="GetAccount"/> (or, with <paramref name="holdsExecution"/>, <see cref="ApplyExecution"/>) addressed to
/// <paramref name="heldAccountId"/>, tells <paramref name="watcher"/>
/// <see cref="Held"/>, and forwards it on <see cref="Release"/>: a test can act while the coordinator waits for that view,
/// or before that execution arrives.
/// </summary>
internal sealed class HoldingRegion(IActorRef region, string heldAccountId, IActorRef watcher, bool holdsExecution = false) : UntypedActor
{
    private (ShardEnvelope Envelope, IActorRef Sender)? _held;
    private bool _holding = true;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ShardEnvelope envelope when _holding && envelope.EntityId == heldAccountId
                && (holdsExecution ? envelope.Message is ApplyExecution : envelope.Message is GetAccount):
                _holding = false;
                _held = (envelope, Sender);
                watcher.Tell(Held.Instance, Self);
                break;
            case Release when _held is var (envelope, sender):
                _held = null;
                region.Tell(envelope, sender);
                break;
            default:
                region.Tell(message, Sender);
                break;
        }
    }

    /// <summary>The view asked for is held back.</summary>
    public sealed record Held
    {
        public static Held Instance { get; } = new();
    }

    /// <summary>Forward the view asked for.</summary>
    public sealed record Release
    {
        public static Release Instance { get; } = new();
    }
}
