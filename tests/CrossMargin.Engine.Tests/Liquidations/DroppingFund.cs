using CrossMargin.Actors;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Stands between the coordinator and the insurance fund: forwards everything except the first request that
/// <paramref name="drops"/> picks, which is lost on its way (never delivered, never answered), as a crash loses the
/// messages in a mailbox.
/// </summary>
internal sealed class DroppingFund(IActorRef fund, Func<object, bool> drops) : UntypedActor
{
    private bool _dropped;

    protected override void OnReceive(object message)
    {
        if (!_dropped && drops(message))
        {
            _dropped = true;
            return;
        }

        fund.Tell(message, Sender);
    }
}
