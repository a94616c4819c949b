using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Margin.Standard;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.EndToEnd;

/// <summary>
/// New margin parameters put in force while the engine runs (<see cref="RiskEngine.ApplyModels"/>): every live account
/// re-margins at once, as on a mark, and checks use the new calculators.
/// </summary>
/// <remarks>
/// <c>lev</c> deposits 1,000 USDT and buys 1 BTCUSDT at 60,000 (no fee) from <c>maker</c> (100,000 USDT). Under the
/// Binance brackets of <see cref="AccountFixture.Models"/> the position (N = 60,000) needs IM 1% N - 100 = 500 and
/// MM 0.5% N - 50 = 250: healthy at equity 1,000. The stricter set has one bracket, IM 2% and MM 1% of any notional:
/// IM 1,200 and MM 600, so equity 1,000 is a margin call (600 &lt;= 1,000 &lt; 1,200). maker, short 1 with 100,000,
/// stays healthy under both (IM 1,200 at most).
/// </remarks>
public sealed class ParameterSwapTests(ITestOutputHelper output) : EngineTestKit(output)
{
    private const string Usdt = TestMarket.BtcUsdt;
    /// <inheritdoc />
    protected override (MarketSnapshot Market, IReadOnlyList<string> Assets, LiquidationOptions Liquidation) Opening() =>
        (TestMarket.Build(60_000m, 3_000m, TestMarket.Instruments.Where(i => i.Symbol is Usdt)), ["BTC", "USDT"],
            new LiquidationOptions { OrderTimeout = TimeSpan.FromMinutes(1) });

    [Fact]
    public async Task An_account_moves_to_margin_call_when_a_stricter_set_is_applied_and_back_when_it_is_reverted()
    {
        var statuses = CreateTestProbe("statuses");
        Sys.EventStream.Subscribe(statuses.Ref, typeof(AccountStatusChanged));
        var limits = CreateTestProbe("limits");
        await Book();
        Sys.EventStream.Subscribe(limits.Ref, typeof(AccountLimitsChanged));

        var strictVersion = Engine.ApplyModels(Strict());
        var call = statuses.ExpectMsg<AccountStatusChanged>(timeout: Wait);
        var strictView = await View("lev");
        var strictCheck = await Engine.CheckPreTradeAsync("lev", new CheckPreTrade("q-1", Usdt, OrderSide.Buy, 0.1m, 60_000m));

        Assert.Equal(("lev", MarginStatus.Healthy, MarginStatus.MarginCall, 1_000m, 1_200m, 600m), (call.AccountId, call.From, call.To, call.EquityUsd,
            call.InitialMarginUsd, call.MaintenanceMarginUsd));
        Assert.Equal((1_200m, MarginStatus.MarginCall), (strictView.Margin!.InitialMarginUsd, strictView.Margin.Status));
        // 1.1 BTC at 2% is 1,320 of IM before the fee-free fill's equity of 1,000: refused, with the new figures.
        Assert.False(strictCheck.Accepted);
        Assert.Equal((1_200m, 1_320m), (strictCheck.InitialMarginBeforeUsd, strictCheck.InitialMarginUsd));
        // Limits went out with the new available margin (1,000 - 1,200 for lev).
        limits.FishForMessage<AccountLimitsChanged>(l => l is { AccountId: "lev", AvailableUsd: -200m }, Wait);

        var revertVersion = Engine.ApplyModels(AccountFixture.Models);
        var back = statuses.ExpectMsg<AccountStatusChanged>(timeout: Wait);

        Assert.Equal(("lev", MarginStatus.MarginCall, MarginStatus.Healthy, 500m, 250m), (back.AccountId, back.From, back.To, back.InitialMarginUsd,
            back.MaintenanceMarginUsd));
        Assert.Equal((2L, 3L, 3L), (strictVersion, revertVersion, Engine.Models.Version));
        Assert.Same(AccountFixture.Models, Engine.Models.Current);
        statuses.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Marks_after_a_swap_are_margined_with_the_new_set()
    {
        await Book();
        Engine.ApplyModels(Strict());
        AwaitAssert(() => Assert.Equal(1_200m, View("lev").GetAwaiter().GetResult().Margin!.InitialMarginUsd), Wait);

        // Long 1 at 60,000 marked at 59,900: equity 900; under the strict set IM 2% and MM 1% of 59,900 = 1,198 and 599
        // (a margin call); the old brackets would give 499 and 249.5 (healthy). The re-margin pass must not keep the old set.
        MoveBtc(59_900m, Usdt);
        var market = Engine.Market.Current;
        AwaitAssert(() =>
        {
            var margin = View("lev").GetAwaiter().GetResult().Margin!;
            Assert.Equal((market.ValuationTime, 900m, 1_198m, 599m, MarginStatus.MarginCall),
                (margin.ValuationTime, margin.EquityUsd, margin.InitialMarginUsd, margin.MaintenanceMarginUsd, margin.Status));
        }, Wait);
    }

    /// <summary>One bracket for every notional: IM 2%, MM 1%; the same collateral and portfolio calculator.</summary>
    private static AccountMarginModels Strict()
    {
        var schedule = new RiskLimitSchedule([(0m, null, 0.02m, 0.01m, null)]);
        var standard = new StandardMarginModel(new StandardMarginParameters(
            new Dictionary<string, RiskLimitSchedule>(StringComparer.Ordinal) { [StandardMarginParameters.DefaultKey] = schedule }, OptionMarginParameters.Deribit));
        return AccountFixture.Models with { StandardCross = new MarginCalculator(standard, standard, TestParameters.Collateral()) };
    }

    private async Task Book()
    {
        var sequence = 0;
        await Send("lev", new OpenAccount("lev-open", "accounts", 1));
        await Send("lev", new Deposit("lev-dep", "wallet", 1, "USDT", 1_000m));
        await Send("maker", new OpenAccount("maker-open", "accounts", 1));
        await Send("maker", new Deposit("maker-dep", "wallet", 1, "USDT", 100_000m));
        var now = Sys.TimeProvider.GetUtcNow();
        var lev = await Send("lev", new ApplyExecution("lev-x", "venue", ++sequence, "x-1", "o-1", Usdt, OrderSide.Buy, 1m, 60_000m, 0m, Liquidity.Taker, now, false));
        await Send("maker", new ApplyExecution("maker-x", "venue", 1, "x-2", "o-2", Usdt, OrderSide.Sell, 1m, 60_000m, 0m, Liquidity.Maker, now, false));
        Assert.Equal((1_000m, 500m, 250m, MarginStatus.Healthy), (lev.Margin!.EquityUsd, lev.Margin.InitialMarginUsd, lev.Margin.MaintenanceMarginUsd, lev.Margin.Status));
    }

    private async Task<CommandAccepted> Send(string account, IAccountCommand command) => Assert.IsType<CommandAccepted>(await Engine.SendAsync(account, command));
}
