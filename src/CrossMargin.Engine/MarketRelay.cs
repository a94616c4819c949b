using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;

namespace CrossMargin.Engine;

/// <summary>
/// Carries each <see cref="MarketChanged"/> from the event stream to the accounts that hold what moved: to every
/// re-margin pass (<see cref="MarginPass"/>), which margins the kernel's accounts of its partition in one loop, and as a
/// broadcast to the region for the accounts that re-margin themselves, on the moved underlyings' and assets'
/// <see cref="AccountActor.SelfMarginTopic"/>s (which only those accounts register), so an untouched account is never woken.
/// </summary>
internal sealed class MarketRelay : ReceiveActor
{
    private readonly IActorRef _accounts;
    private readonly IActorRef[] _passes;

    public MarketRelay(IActorRef accounts, IActorRef[] passes)
    {
        _accounts = accounts;
        _passes = passes;
        Receive<MarketChanged>(changed =>
        {
            foreach (var pass in _passes)
            {
                pass.Tell(changed, Self);
            }

            _accounts.Tell(new ShardBroadcast(changed, changed.Underlyings.Select(AccountActor.SelfMarginTopic).ToHashSet(StringComparer.Ordinal)), Self);
        });
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(MarketChanged));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
