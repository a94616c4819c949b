using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>A price feed over <see cref="TestMarket"/> on a manual clock, with short ways to send it prices.</summary>
public abstract class PriceTestKit(ITestOutputHelper output) : Actors.TestKit.TestKit(output, new TestKitSettings { ManualTime = true })
{
    public static readonly string[] Assets = ["BTC", "ETH", "USDT", "USDC", "USD"];

    protected LatestMarket Latest { get; } = new(TestMarket.Build());

    protected ScenarioMarginModel Model { get; } = new(TestParameters.DeribitLike());

    protected ManualTime Clock => Time!;

    protected DateTimeOffset Now => Clock.GetUtcNow();

    protected IActorRef StartFeed(PriceOptions? options = null) => StartFeed(Latest, options);

    /// <summary>A feed over <paramref name="latest"/> instead of <see cref="Latest"/>.</summary>
    protected IActorRef StartFeed(LatestMarket latest, PriceOptions? options = null) =>
        Sys.ActorOf(PriceFeed.Props(MarketDefinition.Of(latest.Current, Assets), latest, [Model], options ?? new PriceOptions()), "prices");

    /// <summary>A probe subscribed to <see cref="MarketChanged"/>.</summary>
    protected TestProbe Changes()
    {
        var probe = CreateTestProbe("changes");
        Sys.EventStream.Subscribe(probe.Ref, typeof(MarketChanged));
        return probe;
    }

    protected PriceStats Stats(IActorRef feed)
    {
        var probe = CreateTestProbe();
        feed.Tell(GetPriceStats.Instance, probe.Ref);
        return probe.ExpectMsg<PriceStats>();
    }

    protected void Mark(IActorRef feed, string symbol, decimal price, double? vol = null, DateTimeOffset? at = null) =>
        feed.Tell(new UpdateMark(symbol, price, vol, at ?? Now), TestActor);

    protected void Index(IActorRef feed, string asset, decimal price, DateTimeOffset? at = null) =>
        feed.Tell(new UpdateIndex(asset, price, at ?? Now), TestActor);

    /// <summary>Sends <paramref name="asset"/>'s index at each of <paramref name="prices"/>, a second apart, each to be accepted.</summary>
    protected void IndicesAccepted(IActorRef feed, string asset, params decimal[] prices)
    {
        foreach (var price in prices)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            Index(feed, asset, price);
            Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        }
    }

    /// <summary>
    /// An operator lets the next index of <paramref name="asset"/> through whatever its move (<see cref="AcceptNextIndex"/>,
    /// answered to a probe of its own): how a test that crashes the index in one tick gets past the move band, which
    /// IndexJumpTests tests. <paramref name="feed"/> may be a price actor itself.
    /// </summary>
    protected void LetNextIndexThrough(IActorRef feed, string asset)
    {
        var probe = CreateTestProbe();
        feed.Tell(new AcceptNextIndex(asset), probe.Ref);
        probe.ExpectMsg<NextIndexWillBeAccepted>();
    }

    /// <summary>The next rejection, passing over the <see cref="PriceAccepted"/> answers to accepted updates.</summary>
    protected PriceRejected NextRejection(Func<PriceRejected, bool>? isTheOne = null) =>
        FishForMessage<object>(m => m is PriceRejected r && (isTheOne?.Invoke(r) ?? true)) as PriceRejected ?? throw new InvalidOperationException();

    /// <summary>Expects a rejection for <paramref name="symbol"/> with <paramref name="reason"/>, counted once.</summary>
    protected PriceRejected ExpectRejected(IActorRef feed, string symbol, PriceRejectionReason reason)
    {
        var rejected = NextRejection();
        Assert.Equal((symbol, reason), (rejected.Symbol, rejected.Reason));
        var stats = Stats(feed);
        Assert.Equal(1, stats.RejectedFor(reason));
        Assert.Equal(1, stats.TotalRejected);
        return rejected;
    }
}
