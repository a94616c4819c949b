using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.EndToEnd;

/// <summary>
/// The whole engine in process, as the node composes it (<see cref="RiskEngine.Start"/>: account region, price feed and
/// relay, coordinator, insurance fund; real account actors on a SQLite journal in a temporary directory, real clock),
/// driven the way a venue drives it: accounts opened and funded, executions, marks through the price feed, liquidation
/// fills and reports. Every expected figure below is worked out by hand from the inputs in this file.
/// </summary>
/// <remarks>
/// <para>Margin (standard cross, Binance BTCUSDT brackets of <see cref="TestParameters"/>): a position of notional N
/// below 50,000 needs IM 0.8% N and MM 0.4% N; from 50,000, IM 1% N - 100 and MM 0.5% N - 50 (the deductions keep the
/// brackets continuous at 50,000: 50,000 x (1% - 0.8%) = 100 and 50,000 x (0.5% - 0.4%) = 50). USDT and USDC count at
/// 1 with no haircut. Equity = balances + unrealised P&amp;L; healthy while equity &gt;= IM, margin call below IM,
/// liquidation below MM, bankrupt below 0.</para>
/// <para>The book at 60,000: <c>lev</c> deposits 1,000 USDT, buys 1 BTCUSDT at 60,000 paying a 6 USDT taker fee and
/// rests a take-profit sell of 1 at 65,000; <c>short</c> deposits 10,000 and sells 2 at 60,000; <c>hedged</c> deposits
/// 5,000, buys 1 BTCUSDT and sells 1 BTCUSDC at 60,000; <c>maker</c> (100,000 USDT) is the other side of every trade.
/// The fund starts with 500 USDT. BTC then falls 60,000 -&gt; 59,400 -&gt; 59,200 -&gt; 58,000.</para>
/// </remarks>
public sealed class CrashEndToEndTests(ITestOutputHelper output) : EngineTestKit(output)
{
    private const string Usdt = TestMarket.BtcUsdt;
    private const string Usdc = TestMarket.BtcUsdc;
    private const string Wallet = "wallet";

    // Liquidation settings the engine runs with (the defaults, but for the quantity increment and patient timers).
    private const decimal StopBuffer = 0.05m;
    private const decimal StepFraction = 0.25m;
    private const decimal FeeRate = 0.005m;
    private const decimal Band = 0.02m;
    private const decimal Increment = 0.1m;

    /// <inheritdoc />
    protected override (MarketSnapshot Market, IReadOnlyList<string> Assets, LiquidationOptions Liquidation) Opening() =>
        (TestMarket.Build(60_000m, 3_000m, TestMarket.Instruments.Where(i => i.Symbol is Usdt or Usdc)), ["BTC", "USDC", "USDT"], new LiquidationOptions
        {
            StopBufferRatio = StopBuffer, MaxStepFraction = StepFraction, FeeRate = FeeRate, SlippageBand = Band, DefaultQuantityIncrement = Increment,
            OrderTimeout = TimeSpan.FromMinutes(1), AdlCollectWindow = TimeSpan.FromMilliseconds(300),
        });

    [Fact]
    public async Task Crash_takes_a_book_through_margin_call_liquidation_fund_cover_and_adl()
    {
        var statuses = CreateTestProbe("statuses");
        Sys.EventStream.Subscribe(statuses.Ref, typeof(AccountStatusChanged));
        var venue = CreateTestProbe("venue");
        Sys.EventStream.Subscribe(venue.Ref, typeof(LiquidationOrderIssued));
        Sys.EventStream.Subscribe(venue.Ref, typeof(AutoDeleveraged));
        Assert.IsType<InsuranceFundDeposited>(await Engine.DepositToInsuranceFundAsync(new DepositToInsuranceFund("seed", "USDT", 500m)));

        // ---- the book at 60,000 ----------------------------------------------------------------------------------
        await Open("maker", 100_000m);
        await Open("lev", 1_000m);
        await Open("short", 10_000m);
        await Open("hedged", 5_000m);

        var levTrade = await Trade("lev", Usdt, OrderSide.Buy, 1m, 60_000m, fee: 6m);
        await Trade("maker", Usdt, OrderSide.Sell, 1m, 60_000m);
        // lev: balance 1,000 - 6 = 994, flat P&L; N = 60,000: IM 1% x 60,000 - 100 = 500, MM 0.5% x 60,000 - 50 = 250.
        Assert.Equal((994m, 500m, 250m, MarginStatus.Healthy), Figures(levTrade.Margin!));
        await Send("lev", Venue, (id, seq) => new AcceptOrder(id, Venue, seq, "lev-take-profit", Usdt, OrderSide.Sell, 1m, 65_000m));

        await Trade("short", Usdt, OrderSide.Sell, 2m, 60_000m);
        await Trade("maker", Usdt, OrderSide.Buy, 2m, 60_000m);
        await Trade("hedged", Usdt, OrderSide.Buy, 1m, 60_000m);
        await Trade("maker", Usdt, OrderSide.Sell, 1m, 60_000m);
        var hedgedTrade = await Trade("hedged", Usdc, OrderSide.Sell, 1m, 60_000m);
        await Trade("maker", Usdc, OrderSide.Buy, 1m, 60_000m);
        // hedged: 5,000 and two legs of N = 60,000, each IM 500 and MM 250.
        Assert.Equal((5_000m, 2 * 500m, 2 * 250m, MarginStatus.Healthy), Figures(hedgedTrade.Margin!));

        // ---- 59,400: a margin call ---------------------------------------------------------------------------------
        // lev: equity 994 + (59,400 - 60,000) = 394; IM 1% x 59,400 - 100 = 494 (the take-profit sell, filled, would only
        // lower it, so the position alone counts); MM 0.5% x 59,400 - 50 = 247. 247 <= 394 < 494.
        MoveBtc(59_400m, Usdt, Usdc);
        var marginCall = statuses.ExpectMsg<AccountStatusChanged>(timeout: Wait);
        Assert.Equal(("lev", MarginStatus.Healthy, MarginStatus.MarginCall, 394m, 494m, 247m), Change(marginCall));
        Assert.Single((await View("lev")).OpenOrders);

        // ---- 59,200: liquidation, first step -------------------------------------------------------------------------
        // lev: equity 994 - 800 = 194 < MM 0.5% x 59,200 - 50 = 246 (IM 592 - 100 = 492). Stop level 1.05 x 246 = 258.30.
        MoveBtc(59_200m, Usdt, Usdc);
        Assert.Equal(("lev", MarginStatus.MarginCall, MarginStatus.Liquidation, 194m, 492m, 246m), Change(statuses.ExpectMsg<AccountStatusChanged>(timeout: Wait)));

        // Planner: a 25% trial leaves N = 44,400, MM 0.4% = 177.60, so it releases 246 - 177.60 = 68.40, R = 68.40 / 0.25 =
        // 273.60 per unit of fraction. f = (1.05 x 246 - 194) / (1.05 x 273.60 - 0.005 x 59,200) has a negative
        // denominator (287.28 - 296): the fee eats the release, so the step is the cap, 25%: 0.25 x 1 = 0.25, floored to
        // the 0.1 increment = 0.2. Limit 59,200 x (1 - 2%) = 58,016.00 (on the 0.01 tick).
        const decimal firstQuantity = 0.2m;
        var firstLimit = 59_200m * (1 - Band);
        var first = venue.ExpectMsg<LiquidationOrderIssued>(timeout: Wait);
        Assert.Equal(new LiquidationOrderIssued("liq-lev-1", "lev", "liq-lev-1-s1-1", Usdt, OrderSide.Sell, firstQuantity, firstLimit), first);

        // The open orders went first: the coordinator cancelled them before it planned.
        Assert.Empty((await View("lev")).OpenOrders);

        // The venue fills it in full at 59,150 against the maker, then reports it.
        const decimal firstFill = 59_150m;
        await Trade("lev", Usdt, OrderSide.Sell, firstQuantity, firstFill, orderId: first.OrderId, liquidation: true);
        await Trade("maker", Usdt, OrderSide.Buy, firstQuantity, firstFill);
        Engine.Coordinator.Tell(new LiquidationOrderReport(first.OrderId, firstQuantity, firstFill), TestActor);

        // Fee: 0.5% of 0.2 x 59,200 (notional at the mark) = 59.20 USDT, below the equity cap (194).
        var firstFee = FeeRate * firstQuantity * 59_200m;

        // lev after the fill and fee: 994 + 0.2 x (59,150 - 60,000) - 59.20 = 994 - 170 - 59.20 = 764.80, long 0.8.
        // Equity 764.80 + 0.8 x (59,200 - 60,000) = 124.80; N = 0.8 x 59,200 = 47,360: MM 0.4% = 189.44, stop 198.912.
        // Second step: the trial (0.6 x 59,200 = 35,520, MM 142.08) releases 47.36, R = 189.44; 1.05 x 189.44 - 0.005 x
        // 47,360 = 198.912 - 236.80 < 0 again: 25% of 0.8 = 0.2. Planned fee 0.5% x 0.2 x 59,200 = 59.20 (< 124.80).
        var levAfterFirst = 994m + (firstQuantity * (firstFill - 60_000m)) - firstFee;
        var second = venue.ExpectMsg<LiquidationOrderIssued>(timeout: Wait);
        Assert.Equal(new LiquidationOrderIssued("liq-lev-1", "lev", "liq-lev-1-s2-1", Usdt, OrderSide.Sell, StepFraction * 0.8m, firstLimit), second);
        var afterFirst = await View("lev");
        Assert.Equal([new CollateralBalance("USDT", levAfterFirst)], afterFirst.Balances);
        Assert.Equal([new Position(Usdt, 1m - firstQuantity, 60_000m)], afterFirst.Positions);
        Assert.Equal(levAfterFirst + (0.8m * (59_200m - 60_000m)), afterFirst.Margin!.EquityUsd);
        Assert.Equal(0.004m * 0.8m * 59_200m, afterFirst.Margin.MaintenanceMarginUsd);
        Assert.Equal(500m + firstFee, (await Engine.GetInsuranceFundAsync()).Balances["USDT"]);

        // ---- 58,000, with the second order out: bankrupt --------------------------------------------------------------
        // lev: 764.80 + 0.8 x (58,000 - 60,000) = -835.20; N = 46,400: IM 0.8% = 371.20, MM 0.4% = 185.60.
        MoveBtc(58_000m, Usdt, Usdc);
        Assert.Equal(("lev", MarginStatus.Liquidation, MarginStatus.Bankrupt, levAfterFirst - 1_600m, 0.008m * 46_400m, 0.004m * 46_400m),
            Change(statuses.ExpectMsg<AccountStatusChanged>(timeout: Wait)));

        // The crash leaves no bid: the IOC fills nothing. The book cannot close the account, so the fund covers what it can:
        // it holds 500 + 59.20 = 559.20 USDT against a deficit of 835.20, pays all of it and leaves 835.20 - 559.20 = 276
        // uncovered. lev: 764.80 + 559.20 = 1,324 USDT, equity 1,324 - 1,600 = -276.
        Engine.Coordinator.Tell(new LiquidationOrderReport(second.OrderId, 0m, 0m), TestActor);
        var deficit = -(levAfterFirst - 1_600m);
        var fundBeforeCover = 500m + firstFee;
        var uncovered = deficit - fundBeforeCover;

        // ADL: the bankruptcy price of the long 0.8 with equity -276 is 58,000 + 276 / 0.8 = 58,345 (on the tick). The only
        // profitable BTCUSDT short is short's (maker is long 0.2, hedged long 1): it gives 0.8 of its 2 at 58,345.
        var bankruptcyPrice = 58_000m + (uncovered / 0.8m);
        var notices = new[] { venue.ExpectMsg<AutoDeleveraged>(timeout: Wait), venue.ExpectMsg<AutoDeleveraged>(timeout: Wait) };
        Assert.Equal(
        [
            new AutoDeleveraged("liq-lev-1", "short", Usdt, OrderSide.Buy, 0.8m, bankruptcyPrice, "liq-lev-1:adl-1:short"),
            new AutoDeleveraged("liq-lev-1", "lev", Usdt, OrderSide.Sell, 0.8m, bankruptcyPrice, "liq-lev-1:adl-1:short:bankrupt"),
        ], notices);

        // lev closes flat at 1,324 + 0.8 x (58,345 - 60,000) = 1,324 - 1,324 = 0: healthy again, and the liquidation ends.
        AwaitAssert(() => Assert.Equal(LiquidationStatus.Completed, Engine.GetLiquidationAsync("liq-lev-1").GetAwaiter().GetResult().Status),
            TimeSpan.FromSeconds(10));
        Assert.Equal(("lev", MarginStatus.Bankrupt, MarginStatus.Healthy, 0m, 0m, 0m), Change(statuses.ExpectMsg<AccountStatusChanged>(timeout: Wait)));

        var history = await Engine.GetLiquidationAsync("liq-lev-1");
        Assert.Equal(
        [
            typeof(LiquidationStarted), typeof(LiquidationStepPlanned), typeof(LiquidationOrderReported), typeof(LiquidationStepPlanned),
            typeof(LiquidationOrderReported), typeof(LiquidationCoverRequested), typeof(LiquidationCoverReceived), typeof(AutoDeleverageExecuted),
            typeof(LiquidationCompleted),
        ], history.Steps.Select(s => s.GetType()));
        var reports = history.Steps.OfType<LiquidationOrderReported>().ToArray();
        Assert.Equal([(first.OrderId, firstQuantity, firstFill, firstFee), (second.OrderId, 0m, 0m, 0m)],
            reports.Select(r => (r.OrderId, r.FilledQuantity, r.AveragePrice, r.FeeAmount)));
        Assert.Equal(deficit, Assert.Single(history.Steps.OfType<LiquidationCoverRequested>()).DeficitUsd);
        var received = Assert.Single(history.Steps.OfType<LiquidationCoverReceived>());
        Assert.Equal((fundBeforeCover, uncovered), (received.CoveredUsd, received.UncoveredUsd));
        var adl = Assert.Single(history.Steps.OfType<AutoDeleverageExecuted>());
        Assert.Equal((Usdt, bankruptcyPrice, "short", 0.8m), (adl.Symbol, adl.BankruptcyPrice, Assert.Single(adl.Fills).AccountId, adl.Fills[0].Quantity));

        // short's rank: profit 2 x 2,000 = 4,000 on 120,000 of entry notional, times leverage 116,000 of notional over
        // equity 10,000 + 4,000 = 14,000: 0.0333 x 8.2857 = 0.276190.
        Assert.Equal(Math.Round(4_000m / 120_000m * (116_000m / 14_000m), 6), Math.Round(adl.Fills[0].Score, 6));

        // ---- the end: every balance and position --------------------------------------------------------------------
        var lev = await View("lev");
        Assert.Equal([new CollateralBalance("USDT", levAfterFirst + fundBeforeCover + (0.8m * (bankruptcyPrice - 60_000m)))], lev.Balances);
        Assert.Empty(lev.Positions);

        // short: 10,000 + 0.8 x (60,000 - 58,345) = 10,000 + 1,324 = 11,324, short 1.2 left at 60,000.
        var shortView = await View("short");
        Assert.Equal([new CollateralBalance("USDT", 10_000m + (0.8m * (60_000m - bankruptcyPrice)))], shortView.Balances);
        Assert.Equal([new Position(Usdt, -2m + 0.8m, 60_000m)], shortView.Positions);

        // maker: every trade at 60,000 realised nothing; long 0.2 from the liquidation fill and long 1 BTCUSDC.
        // Equity 100,000 + 0.2 x (58,000 - 59,150) + (58,000 - 60,000) = 100,000 - 230 - 2,000 = 97,770.
        var maker = await View("maker");
        Assert.Equal([new CollateralBalance("USDT", 100_000m)], maker.Balances);
        Assert.Equal([new Position(Usdc, 1m, 60_000m), new Position(Usdt, firstQuantity, firstFill)], maker.Positions.OrderBy(p => p.Symbol, StringComparer.Ordinal));
        Assert.Equal(100_000m + (firstQuantity * (58_000m - firstFill)) + (58_000m - 60_000m), maker.Margin!.EquityUsd);

        // hedged: the legs cancel, equity stays 5,000; N = 58,000 per leg: IM 2 x (580 - 100) = 960, MM 2 x (290 - 50) = 480.
        var hedged = await View("hedged");
        Assert.Equal([new CollateralBalance("USDT", 5_000m)], hedged.Balances);
        Assert.Equal((5_000m, 2 * ((0.01m * 58_000m) - 100m), 2 * ((0.005m * 58_000m) - 50m), MarginStatus.Healthy), Figures(hedged.Margin!));

        // The fund paid out everything it had, and its history says so; the round passed the shortfall on, settled at the end.
        var fund = await Engine.GetInsuranceFundAsync();
        Assert.Equal(0m, fund.Balances["USDT"]);
        Assert.Equal(
        [
            (InsuranceFundMovementKind.Deposited, 500m), (InsuranceFundMovementKind.FeeCollected, firstFee),
            (InsuranceFundMovementKind.DeficitCovered, fundBeforeCover), (InsuranceFundMovementKind.AutoDeleverageTriggered, uncovered),
            (InsuranceFundMovementKind.ShortfallSettled, uncovered),
        ], fund.History.Select(h => (h.Kind, h.Amount)));

        // Only lev ever changed status: hedged, short and maker never left healthy, and only lev was liquidated.
        statuses.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(["liq-lev-1"], (await Engine.GetLiquidationsAsync()).Liquidations.Select(l => l.LiquidationId));
    }

    private static (decimal Equity, decimal Im, decimal Mm, MarginStatus Status) Figures(MarginSummary margin) =>
        (margin.EquityUsd, margin.InitialMarginUsd, margin.MaintenanceMarginUsd, margin.Status);

    private static (string, MarginStatus, MarginStatus, decimal, decimal, decimal) Change(AccountStatusChanged c) =>
        (c.AccountId, c.From, c.To, c.EquityUsd, c.InitialMarginUsd, c.MaintenanceMarginUsd);

    private async Task Open(string account, decimal usdt)
    {
        await Send(account, "accounts", (id, seq) => new OpenAccount(id, "accounts", seq));
        await Send(account, Wallet, (id, seq) => new Deposit(id, Wallet, seq, "USDT", usdt));
    }
}
