using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Prices;

namespace CrossMargin.Engine;

/// <summary>
/// Carries each <see cref="MarketChanged"/> from the event stream to the accounts that hold what moved: a broadcast
/// to the region with the moved underlyings and assets as topics, so an untouched account is never woken.
/// </summary>
internal sealed class MarketRelay : ReceiveActor
{
    private readonly IActorRef _accounts;

    public MarketRelay(IActorRef accounts)
    {
        _accounts = accounts;
        Receive<MarketChanged>(changed => _accounts.Tell(new ShardBroadcast(changed, changed.Underlyings), Self));
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(MarketChanged));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
