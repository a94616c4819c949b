using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Fixtures;

/// <summary>
/// A whole engine per test, as the node composes it (<see cref="RiskEngine.Start"/> over a fresh <see cref="AccountHost"/>:
/// four shards, the test calculators, real account actors on a SQLite journal), with the venue's ways of driving it:
/// commands numbered per account and source, fills, marks through the price feed.
/// </summary>
public abstract class EngineTestKit(ITestOutputHelper? output = null, TestKitSettings? settings = null) : AccountHostTestKit(output, settings)
{
    /// <summary>The venue's source name for executions.</summary>
    protected const string Venue = "matching-engine";

    private readonly Dictionary<(string Account, string Source), long> _sequences = [];
    private int _ids;

    /// <summary>How long to wait for the engine's asynchronous effects.</summary>
    protected static TimeSpan Wait { get; } = TimeSpan.FromSeconds(5);

    /// <summary>The engine under test.</summary>
    protected RiskEngine Engine { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var (market, assets, liquidation) = Opening();
        Engine = RiskEngine.Start(Sys, new RiskEngineSettings(market, assets, AccountFixture.Models,
            Host.Services with { Registry = RiskEngine.RegisterEvents(new EventTypeRegistry()) }, 4, new PriceOptions(), liquidation, TimeSpan.FromSeconds(10))
        {
            Listing = Listing(),
        });
    }

    /// <summary>The engine's opening market, the assets it prices, and its liquidation options.</summary>
    protected abstract (MarketSnapshot Market, IReadOnlyList<string> Assets, LiquidationOptions Liquidation) Opening();

    /// <summary>The venue's listing schedules; none unless a test lists by schedule.</summary>
    protected virtual IReadOnlyList<ListingSchedule> Listing() => [];

    /// <summary>Sends a command numbered next for its account and source (ids unique per test); it must be accepted.</summary>
    protected async Task<CommandAccepted> Send(string account, string source, Func<string, long, IAccountCommand> command)
    {
        var sequence = _sequences[(account, source)] = _sequences.GetValueOrDefault((account, source)) + 1;
        var reply = await Engine.SendAsync(account, command($"{account}-{source}-{++_ids}", sequence));
        return Assert.IsType<CommandAccepted>(reply);
    }

    /// <summary>A taker fill from the venue, timed now.</summary>
    protected Task<CommandAccepted> Trade(string account, string symbol, OrderSide side, decimal quantity, decimal price, decimal fee = 0m,
        string? orderId = null, bool liquidation = false) =>
        Send(account, Venue, (id, seq) => new ApplyExecution(id, Venue, seq, "x-" + id, orderId ?? "o-" + id, symbol, side, quantity, price, fee,
            Liquidity.Taker, Sys.TimeProvider.GetUtcNow(), liquidation));

    /// <summary>The account as the engine answers for it.</summary>
    protected async Task<AccountView> View(string account) => Assert.IsType<AccountView>(await Engine.GetAccountAsync(account));

    /// <summary>One tick of the feed: the BTC index and the marks of <paramref name="marks"/> at <paramref name="btc"/>, each accepted and merged.</summary>
    protected void MoveBtc(decimal btc, params string[] marks)
    {
        var probe = CreateTestProbe();
        var now = Sys.TimeProvider.GetUtcNow();
        Engine.Prices.Tell(new UpdatePrices([new UpdateIndex("BTC", btc, now)], [.. marks.Select(m => new UpdateMark(m, btc, null, now))]), probe.Ref);
        for (var i = 0; i <= marks.Length; i++)
        {
            Assert.IsType<PriceAccepted>(probe.ExpectMsg<object>());
        }

        // The snapshot is published once the publisher has merged the tick.
        AwaitAssert(() => Assert.Equal(btc, Engine.Market.Current.MarkOf(marks[0]).MarkPrice), Wait);
    }
}
