using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// The insurance fund taking a position over when no counterparty is in profit, into its own account "fund", and the
/// unwind of that account through the book. Hand figures as in <see cref="LiquidationLastPositionTests"/>: acc-1 has
/// 120 USDT and is long 0.1 BTCUSDT at 60,000; BTC at 59,000: equity 20 &lt; MM 23.60; the last step goes out at
/// 58,800.00 (59,000 - 20 / 0.1, nothing from an empty fund) and the book fills none of it, so the position is taken
/// over at its bankruptcy price, 58,800.00, and there is no counterparty in profit.
/// </summary>
public sealed class FundTakeOverTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string FundAccountId = "fund";
    private const string Liquidation = "liq-acc-1-1";
    private const string Unwind = "liq-fund-1";

    protected override string? FundAccount => FundAccountId;

    /// <summary>
    /// The fund (value 0) takes the 0.1 over at 58,800.00: its loss at the mark is 0.1 x (58,800 - 59,000) = -20, a gain,
    /// which an empty fund bears. acc-1 ends at 120 - 0.1 x 1,200 = 0, flat, nothing uncovered; the fund's account is
    /// long 0.1 at 58,800. Before, the round stalled and the book was asked at the band
    /// (57,820.00): filled there, 98.00 was left uncovered.
    /// </summary>
    [Fact]
    public void With_no_counterparty_in_profit_the_fund_takes_the_position_over_at_the_bankruptcy_price_and_nothing_is_left_uncovered()
    {
        var (venue, adl) = Probes();

        LastStepUnfilled(venue);

        AssertTakenOver(adl);
    }

    /// <summary>
    /// As above with acc-2 short 0.1 at 58,000 (1,000 USDT), at a loss at 59,000: positions not in profit are the last
    /// resort, after the fund's take-over, so the fund takes the 0.1 over and acc-2 keeps its short.
    /// </summary>
    [Fact]
    public void The_fund_takes_the_position_over_before_any_position_at_a_loss_is_deleveraged()
    {
        var (venue, adl) = Probes();
        OpenShort("acc-2", 1_000m, 0.1m, 58_000m);

        LastStepUnfilled(venue);

        AssertTakenOver(adl);
        Assert.Equal([new Position(Btc, -0.1m, 58_000m)], Account("acc-2").Positions);
    }

    /// <summary>
    /// The unwind sells the fund's 0.1 through the book, bounded as any last step (equity 20, fund 0: 58,800.00), with no
    /// fee. Filled at 58,900: the account realises 0.1 x (58,900 - 58,800) = 10 USDT, which is moved into the fund
    /// (withdrawn from the account, deposited into the fund); the account ends flat and empty.
    /// </summary>
    [Fact]
    public void The_unwind_closes_the_funds_position_through_the_book_and_its_gain_lands_in_the_fund()
    {
        var (venue, adl) = Probes();
        LastStepUnfilled(venue);
        AssertTakenOver(adl);

        var order = venue.ExpectMsg<LiquidationOrderIssued>();
        Assert.Equal(new LiquidationOrderIssued(Unwind, FundAccountId, $"{Unwind}-s1-1", Btc, OrderSide.Sell, 0.1m, 58_800m), order);
        FillFund(order.OrderId, 58_900m);

        AwaitCompleted(Unwind);
        var history = History(Unwind);
        Assert.Equal(0m, Assert.Single(history.Steps.OfType<LiquidationOrderReported>()).FeeAmount);
        var swept = Assert.Single(history.Steps.OfType<FundAccountSwept>());
        Assert.Equal([new InsuranceFundPayment("USDT", 10m, 10m)], swept.Amounts);
        AwaitAssert(() =>
        {
            var fund = FundView();
            Assert.Equal(10m, fund.Balances["USDT"]);
            Assert.Contains(fund.History, h => h.Kind == InsuranceFundMovementKind.Deposited && h.RequestId == $"{Unwind}:sweep:USDT" && h.Amount == 10m);
            var account = Account(FundAccountId);
            Assert.Empty(account.Positions);
            Assert.Equal([new CollateralBalance("USDT", 0m)], account.Balances);
        });
    }

    /// <summary>
    /// As above, with the fund's account holding 0.000000005 USDT off the ledger's 1e-8 unit from before amounts were held
    /// to it (a legacy deposit, or a cover the fund paid from a balance booked off the unit then), so 10.000000005 USDT
    /// when flat. The fund refuses a deposit off the unit: the sweep moves the 10 USDT on the unit into the fund and leaves
    /// the residue in the account, where nothing is lost. Before, the account's whole balance was withdrawn (a withdrawal
    /// of exactly the whole balance passes off the unit), the fund refused its deposit, and 10.000000005 USDT vanished.
    /// </summary>
    [Fact]
    public async Task A_balance_off_the_unit_is_swept_into_the_fund_on_the_unit_and_its_residue_stays_in_the_account()
    {
        await Services.Journal.WriteMessagesAsync(
        [
            new Persistence.Journal.AtomicWrite($"account-{FundAccountId}", 1, "test",
            [
                new Persistence.Journal.EventData(Registry.Serialize(new AccountOpened($"{FundAccountId}:open", LiquidationCoordinator.FundSource, 1, MarginMode.StandardCross))),
                new Persistence.Journal.EventData(Registry.Serialize(new Deposited("legacy-1", "wallet", 1, "USDT", 0.000000005m))),
            ]),
        ]);
        var (venue, adl) = Probes();
        LastStepUnfilled(venue);
        AdlNoticesUntil(adl, heard => heard.Count == 2);
        AwaitCompleted(Liquidation);

        var order = venue.ExpectMsg<LiquidationOrderIssued>();
        FillFund(order.OrderId, 58_900m);

        AwaitCompleted(Unwind);
        AwaitAssert(() =>
        {
            var fund = FundView().Balances.GetValueOrDefault("USDT");
            var account = Account(FundAccountId).Balances.Single(b => b.Asset == "USDT").Amount;
            Assert.Equal((10m, 0.000000005m), (fund, account));
        });
    }

    /// <summary>
    /// The fund's side of the take-over is lost on its way and the coordinator restarts: the take-over and its unwind were
    /// journaled together, so the restarted coordinator sends the sides again (applied once) and the unwind goes on to the
    /// book with the fund's 0.1, not 0.2.
    /// </summary>
    [Fact]
    public void A_coordinator_restarted_between_the_take_over_and_the_unwind_resumes_both_once()
    {
        var (venue, adl) = Probes();
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new DroppingRegion(Region, c => c is ApplyExecution { MessageId: $"{Liquidation}:adl-1:{FundAccountId}" }))));
        LastStepUnfilled(venue);
        AdvanceUntil(() => History(Liquidation).Steps.OfType<AutoDeleverageExecuted>().Any(), TimeSpan.FromMilliseconds(100));
        Assert.Equal(FundAccountId, History(Unwind).AccountId);

        RestartCoordinator();

        AssertTakenOver(adl);
        Assert.Equal(new LiquidationOrderIssued(Unwind, FundAccountId, $"{Unwind}-s1-1", Btc, OrderSide.Sell, 0.1m, 58_800m), venue.ExpectMsg<LiquidationOrderIssued>());
    }

    /// <summary>
    /// BTC at 58,000: acc-1 is bankrupt (120 - 200 = -80); a fund of 30 covers 30 and has nothing left. Its bankruptcy
    /// price is then 60,000 - 150 / 0.1 = 58,500.00: taking it over would lose 0.1 x 500 = 50 at the mark, more than the
    /// fund's free value of 0, so the round stalls as before and the fund's account takes nothing.
    /// </summary>
    [Fact]
    public void A_fund_too_small_to_bear_the_take_over_leaves_the_round_stalled_as_before()
    {
        SeedFund(30m);
        Deposit("acc-1", 120m);
        Trade("acc-1", OrderSide.Buy, 0.1m, 60_000m);

        MoveBtc(58_000m);

        AwaitAssert(() => History(Liquidation));
        AdvanceUntil(() => History(Liquidation).Steps.OfType<LiquidationStalled>().Any(), TimeSpan.FromMilliseconds(100));
        var history = History(Liquidation);
        Assert.Equal((30m, 50m), Assert.Single(history.Steps.OfType<LiquidationCoverReceived>()) is var c ? (c.CoveredUsd, c.UncoveredUsd) : default);
        Assert.Contains("does not bear the take-over's loss of 50", Assert.Single(history.Steps.OfType<LiquidationStalled>()).Reason, StringComparison.Ordinal);
        Assert.Empty(history.Steps.OfType<AutoDeleverageExecuted>());
        Assert.Empty(Account(FundAccountId).Positions);
    }

    /// <summary>
    /// BTC at 58,000 with a fund of 500; acc-1 (1,000 USDT, long 1 at 60,000) is bankrupt by 1,000: the fund covers 500
    /// and is drained, so the bankruptcy price is 58,000 + 500 = 58,500 and a take-over would lose 500 at the mark, more
    /// than the fund's free value of 0. Every short is at a loss (BMM 0.4% below 50,000 of notional, 0.5% - 50 from it):
    /// acc-2 short 0.5 at 57,800, 340 USDT: equity 240 (MM 116), 29,000 / 240 = 120.83x, -100 / 28,900 / 120.83 = -0.0000286;
    /// acc-3 short 1 at 57,000, 3,000 USDT: equity 2,000 (MM 240), 29x, -1,000 / 57,000 / 29 = -0.000605;
    /// acc-4 short 1 at 50,000, 10,000 USDT: equity 2,000, 29x, -8,000 / 50,000 / 29 = -0.00552.
    /// A short buying back at 58,500 loses 500 a contract at the mark: acc-2 bears 240 / 500 = 0.48, down to the increment
    /// 0.4 (balance 340 - 0.4 x 700 = 60, short 0.1 left, equity 40); acc-3 gives the other 0.6 (3,000 - 0.6 x 1,500 =
    /// 2,100, short 0.4 left); acc-4 nothing. acc-1 sells its 1 at 58,500: 1,000 + 500 - 1,500 = 0, flat, nothing
    /// uncovered. Before, the round stalled, and the book, filled at the band, left the slippage uncovered.
    /// </summary>
    [Fact]
    public void A_fund_drained_by_a_partial_cover_with_nobody_in_profit_deleverages_shorts_at_a_loss_and_leaves_nothing_uncovered()
    {
        var (_, adl) = Probes();
        SeedFund(500m);
        MoveBtc(58_000m);
        OpenShort("acc-2", 340m, 0.5m, 57_800m);
        OpenShort("acc-3", 3_000m, 1m, 57_000m);
        OpenShort("acc-4", 10_000m, 1m, 50_000m);

        OpenLong("acc-1");

        var notices = AdlNoticesUntil(adl, heard => heard.Count == 4);
        AssertNotices(
        [
            new AutoDeleveraged(Liquidation, "acc-2", Btc, OrderSide.Buy, 0.4m, 58_500m, $"{Liquidation}:adl-1:acc-2"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 0.4m, 58_500m, $"{Liquidation}:adl-1:acc-2:bankrupt"),
            new AutoDeleveraged(Liquidation, "acc-3", Btc, OrderSide.Buy, 0.6m, 58_500m, $"{Liquidation}:adl-1:acc-3"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 0.6m, 58_500m, $"{Liquidation}:adl-1:acc-3:bankrupt"),
        ], notices);
        AwaitCompleted(Liquidation);
        var history = History(Liquidation);
        Assert.Equal((500m, 500m), Assert.Single(history.Steps.OfType<LiquidationCoverReceived>()) is var c ? (c.CoveredUsd, c.UncoveredUsd) : default);
        var executed = Assert.Single(history.Steps.OfType<AutoDeleverageExecuted>());
        Assert.Equal([("acc-2", 0.4m, false), ("acc-3", 0.6m, false)], executed.Fills.Select(f => (f.AccountId, f.Quantity, f.ByFund)).ToArray());
        Assert.Empty(history.Steps.OfType<LiquidationStalled>());
        Assert.DoesNotContain("uncovered", Assert.IsType<LiquidationCompleted>(history.Steps[^1]).Reason, StringComparison.Ordinal);
        AwaitAssert(() =>
        {
            Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
            Assert.Empty(Account("acc-1").Positions);
            var cut = Account("acc-2");
            Assert.Equal([new CollateralBalance("USDT", 60m)], cut.Balances);
            Assert.Equal([new Position(Btc, -0.1m, 57_800m)], cut.Positions);
            Assert.Equal(40m, cut.Margin!.EquityUsd);
            Assert.Equal([new CollateralBalance("USDT", 2_100m)], Account("acc-3").Balances);
            Assert.Equal([new Position(Btc, -0.4m, 57_000m)], Account("acc-3").Positions);
            Assert.Equal([new Position(Btc, -1m, 50_000m)], Account("acc-4").Positions);
            Assert.Empty(Account(FundAccountId).Positions);
        });
    }

    private void LastStepUnfilled(TestProbe venue)
    {
        Deposit("acc-1", 120m);
        Trade("acc-1", OrderSide.Buy, 0.1m, 60_000m);

        MoveBtc(59_000m);
        Assert.Equal(new LiquidationOrderIssued(Liquidation, "acc-1", $"{Liquidation}-s1-1", Btc, OrderSide.Sell, 0.1m, 58_800m),
            venue.ExpectMsg<LiquidationOrderIssued>());
        Coordinator.Tell(new LiquidationOrderReport($"{Liquidation}-s1-1", 0m, 0m), TestActor);
    }

    /// <summary>Two probes: the liquidation orders the venue hears, and the auto-deleverage notices (they interleave).</summary>
    private (TestProbe Orders, TestProbe Adl) Probes()
    {
        var orders = CreateTestProbe("orders");
        Sys.EventStream.Subscribe(orders.Ref, typeof(LiquidationOrderIssued));
        var adl = CreateTestProbe("adl");
        Sys.EventStream.Subscribe(adl.Ref, typeof(AutoDeleveraged));
        return (orders, adl);
    }

    private void AssertTakenOver(TestProbe adl)
    {
        var notices = AdlNoticesUntil(adl, heard => heard.Count == 2);
        AssertNotices(
        [
            new AutoDeleveraged(Liquidation, FundAccountId, Btc, OrderSide.Buy, 0.1m, 58_800m, $"{Liquidation}:adl-1:{FundAccountId}"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 0.1m, 58_800m, $"{Liquidation}:adl-1:{FundAccountId}:bankrupt"),
        ], notices);
        AwaitCompleted(Liquidation);
        var history = History(Liquidation);
        var executed = Assert.Single(history.Steps.OfType<AutoDeleverageExecuted>());
        Assert.Equal((58_800m, true), (executed.BankruptcyPrice, Assert.Single(executed.Fills).ByFund));
        Assert.Empty(history.Steps.OfType<LiquidationCoverRequested>());
        Assert.DoesNotContain("uncovered", Assert.IsType<LiquidationCompleted>(history.Steps[^1]).Reason, StringComparison.Ordinal);
        AwaitAssert(() =>
        {
            Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
            Assert.Empty(Account("acc-1").Positions);
            Assert.Equal([new Position(Btc, 0.1m, 58_800m)], Account(FundAccountId).Positions);
        });
    }

    /// <summary>As the venue does: the fill to the fund's account first (acknowledged), then the report to the coordinator.</summary>
    private void FillFund(string orderId, decimal price)
    {
        Region.Tell(new ShardEnvelope(FundAccountId, new ApplyExecution($"venue-{orderId}", Venue, 1, "x" + orderId, orderId, Btc, OrderSide.Sell, 0.1m, price, 0m,
            Liquidity.Taker, TestMarket.ValuationTime, IsLiquidation: true)), TestActor);
        Assert.IsType<CommandAccepted>(ExpectMsg<object>());
        Coordinator.Tell(new LiquidationOrderReport(orderId, 0.1m, price), TestActor);
    }
}
