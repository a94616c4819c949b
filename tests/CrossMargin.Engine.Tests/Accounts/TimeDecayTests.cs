using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// An option's value and margin change as time passes though no price moves. On a whole engine whose clock the test
/// moves (it opens on 2026-01-01, the manual clock's start, with <see cref="TestMarket"/>'s March contracts listed), a
/// quiet market must still be re-valued at the current time and the accounts holding options re-margined at it.
/// </summary>
public sealed class TimeDecayTests(ITestOutputHelper output) : ManualClockEngineTestKit(output)
{
    private static readonly string Call = TestMarket.LinearOption(OptionKind.Call, 60_000);

    /// <summary>
    /// Portfolio margin revalues the option from its vol at the time left, so an hour's decay changes the figures; they
    /// must be the calculator's at the market an hour on, and that market's valuation time.
    /// </summary>
    [Fact]
    public async Task After_an_hour_without_a_tick_a_portfolio_option_writer_is_remargined_at_the_current_time()
    {
        var (opened, before) = await WriteCalls("t-1", MarginMode.Portfolio);

        Time!.Advance(TimeSpan.FromHours(1));

        AwaitAssert(() => Assert.Equal(opened.AddHours(1), Engine.Market.Current.ValuationTime), Wait);
        AwaitAssert(() =>
        {
            var margin = Margin("t-1");
            var expected = Expected(MarginMode.Portfolio);
            Assert.Equal((opened.AddHours(1), expected.EquityUsd, expected.InitialMarginUsd, expected.MaintenanceMarginUsd),
                (margin.ValuationTime, margin.EquityUsd, margin.InitialMarginUsd, margin.MaintenanceMarginUsd));
        }, Wait);
        Assert.NotEqual(before.InitialMarginUsd, Margin("t-1").InitialMarginUsd);
    }

    /// <summary>
    /// The standard rules value an option at its venue mark, which time alone does not move: re-margined an hour on, the
    /// figures are the calculator's there, and the same as before (so the account keeps their valuation time).
    /// </summary>
    [Fact]
    public async Task After_an_hour_without_a_tick_a_standard_option_writer_holds_the_figures_of_the_current_market()
    {
        var (opened, before) = await WriteCalls("t-2", MarginMode.StandardCross);

        Time!.Advance(TimeSpan.FromHours(1));

        AwaitAssert(() => Assert.Equal(opened.AddHours(1), Engine.Market.Current.ValuationTime), Wait);
        var expected = Expected(MarginMode.StandardCross);
        var margin = Margin("t-2");
        Assert.Equal((expected.EquityUsd, expected.InitialMarginUsd, expected.MaintenanceMarginUsd), (margin.EquityUsd, margin.InitialMarginUsd, margin.MaintenanceMarginUsd));
        Assert.Equal(before, margin);
    }

    // Writes 2 calls at 3,000 on 20,000 USDT: 26,000 USDT and a short of 2.
    private async Task<(DateTimeOffset Opened, MarginSummary Before)> WriteCalls(string account, MarginMode mode)
    {
        await Send(account, "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, mode));
        await Send(account, "wallet", (id, seq) => new Deposit(id, "wallet", seq, "USDT", 20_000m));
        await Trade(account, Call, OrderSide.Sell, 2m, 3_000m);
        return (Engine.Market.Current.ValuationTime, Margin(account));
    }

    private Risk.Margin.MarginFigures Expected(MarginMode mode) => AccountFixture.Models.For(mode).Figures(
        [new CollateralBalance("USDT", 26_000m)], [new Position(Call, -2m, 3_000m)], [], Engine.Market.Current);

    [Fact]
    public async Task A_contract_expiring_in_a_quiet_market_leaves_it_at_its_expiry_without_a_tick()
    {
        await Send("q-1", "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, MarginMode.StandardCross));
        await Send("q-1", "wallet", (id, seq) => new Deposit(id, "wallet", seq, "USDT", 10_000m));
        await Trade("q-1", TestMarket.BtcMarchFuture, OrderSide.Buy, 1m, 60_300m);

        Time!.Advance(TestMarket.March - Time.GetUtcNow());

        // At the expiry instant the future leaves the listing, and the holder is margined as settled at the index (60,000):
        // 10,000 + (60,000 - 60,300) = 9,700, no margin.
        AwaitAssert(() => Assert.NotNull(Engine.Market.Current.FindExpired(TestMarket.BtcMarchFuture)), Wait);
        AwaitAssert(() =>
        {
            var margin = Margin("q-1");
            Assert.Equal((TestMarket.March, 9_700m, 0m), (margin.ValuationTime, margin.EquityUsd, margin.InitialMarginUsd));
        }, Wait);
    }
}
