using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// A position off its instrument's lot: acc-1 bought 0.0505 BTCUSDT at 60,000 while BTCUSDT's lot was the default 1e-8,
/// and the market file has since given it the venue's lot of 0.001 (0.5 lot off). BTC at 40,000: equity 1,015 - 0.0505
/// x 20,000 = 5.00 &lt; MM 0.4% x 2,020 = 8.08. The position is less than one liquidation increment (0.1), so one order
/// closes it whole: 0.0505, fee 0.1% x 2,020 = 2.02. At the band (39,200.00) it could lose 0.0505 x 800 = 40.40, more than
/// the equity, so the fund is asked: with 50 in it, the limit stays at the band.
/// </summary>
public sealed class OffLotPositionTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";
    private const string FirstOrder = "liq-acc-1-1-s1-1";

    /// <summary>
    /// The order is sent as the venue's close-position order (the only one a venue fills off its lot), and its report of
    /// the whole 0.0505 at the mark is taken: no slippage, fee 2.02, the account flat at 1,015 - 1,010 - 2.02 = 2.98.
    /// Before, the report was ignored as off the lot (and the account refused the venue's fill), so the order counted as
    /// unfilled and the same order went out again every interval: the liquidation never ended.
    /// </summary>
    [Fact]
    public void A_position_off_its_lot_is_closed_whole_by_a_close_position_order_whose_fill_is_taken_and_the_liquidation_ends()
    {
        var venue = VenueProbe();
        SeedFund(50m);
        Deposit("acc-1", 1_015m);
        Trade("acc-1", OrderSide.Buy, 0.0505m, 60_000m);

        PublishMarket(Lotted(40_000m), "BTC");

        Assert.Equal(new LiquidationOrderIssued(Liquidation, "acc-1", FirstOrder, Btc, OrderSide.Sell, 0.0505m, 39_200m, ClosesPosition: true),
            venue.ExpectMsg<LiquidationOrderIssued>());
        Trade("acc-1", OrderSide.Sell, 0.0505m, 40_000m, liquidation: true, orderId: FirstOrder);
        Coordinator.Tell(new LiquidationOrderReport(FirstOrder, 0.0505m, 40_000m), TestActor);

        AwaitCompleted(Liquidation);
        var reported = Assert.Single(History(Liquidation).Steps.OfType<LiquidationOrderReported>());
        Assert.Equal((0.0505m, 40_000m, 2.02m), (reported.FilledQuantity, reported.AveragePrice, reported.FeeAmount));
        AwaitAssert(() =>
        {
            var account = Account("acc-1");
            Assert.Equal([new CollateralBalance("USDT", 2.98m)], account.Balances);
            Assert.Empty(account.Positions);
        });
    }

    /// <summary>
    /// A report of part of the close-position order off the lot by other than the order's remainder (0.0502 of 0.0505: it
    /// would leave 0.0003, not whole lots) is as corrupt as any fill off the lot: ignored and counted, and the true report
    /// (the whole 0.0505) still taken.
    /// </summary>
    [Fact]
    public void A_report_of_part_of_a_close_position_order_off_the_lot_is_ignored_and_the_whole_fill_is_taken()
    {
        var venue = VenueProbe();
        SeedFund(50m);
        Deposit("acc-1", 1_015m);
        Trade("acc-1", OrderSide.Buy, 0.0505m, 60_000m);
        PublishMarket(Lotted(40_000m), "BTC");
        Assert.Equal(0.0505m, venue.ExpectMsg<LiquidationOrderIssued>().Quantity);

        Coordinator.Tell(new LiquidationOrderReport(FirstOrder, 0.0502m, 40_000m), TestActor);
        Trade("acc-1", OrderSide.Sell, 0.0505m, 40_000m, liquidation: true, orderId: FirstOrder);
        Coordinator.Tell(new LiquidationOrderReport(FirstOrder, 0.0505m, 40_000m), TestActor);

        AwaitCompleted(Liquidation);
        var reported = Assert.Single(History(Liquidation).Steps.OfType<LiquidationOrderReported>());
        Assert.Equal((0.0505m, 40_000m, 2.02m), (reported.FilledQuantity, reported.AveragePrice, reported.FeeAmount));
    }

    /// <summary>
    /// The trader's own sell of one lot (0.001 at 40,000, an order resting before the liquidation) fills after the
    /// close-position order went out for 0.0505: the venue closes what is left, 0.0495, still off the lot by the same half
    /// lot. Its report is the venue's true answer to the order (what it ordered less whole lots), so it is taken: fee 0.1%
    /// x 0.0495 x 40,000 = 1.98. Before, it was ignored as off the lot and not the whole order: the fee was never charged.
    /// </summary>
    [Fact]
    public void A_close_position_fill_short_of_its_order_by_whole_lots_is_taken_and_pays_its_fee()
    {
        var venue = VenueProbe();
        SeedFund(50m);
        Deposit("acc-1", 1_015m);
        Trade("acc-1", OrderSide.Buy, 0.0505m, 60_000m);
        PublishMarket(Lotted(40_000m), "BTC");
        Assert.True(venue.ExpectMsg<LiquidationOrderIssued>().ClosesPosition);

        Trade("acc-1", OrderSide.Sell, 0.001m, 40_000m);
        Trade("acc-1", OrderSide.Sell, 0.0495m, 40_000m, liquidation: true, orderId: FirstOrder);
        Coordinator.Tell(new LiquidationOrderReport(FirstOrder, 0.0495m, 40_000m), TestActor);

        AwaitCompleted(Liquidation);
        var reported = Assert.Single(History(Liquidation).Steps.OfType<LiquidationOrderReported>());
        Assert.Equal((0.0495m, 40_000m, 1.98m), (reported.FilledQuantity, reported.AveragePrice, reported.FeeAmount));
        AwaitAssert(() => Assert.Empty(Account("acc-1").Positions));
    }

    /// <summary>
    /// A bankrupt account's position off the lot is auto-deleveraged in whole lots: acc-1 (1,000 USDT) long 1.0005 at
    /// 60,000, BTC at 58,000: equity 1,000 - 1.0005 x 2,000 = -1,001, and the fund holds nothing. The round passes on
    /// 1.000 (1,000 lots) against acc-b (short 2 at 60,000, in profit) at the whole position's bankruptcy price, 60,000 -
    /// 1,000 / 1.0005 = 59,000.49975, to the tick 59,000.50; the 0.0005 left, less than one lot, no counterparty
    /// could take (its side would be off the lot and refused), so it goes to the book as a close-position order. Before,
    /// the round passed on the whole 1.0005: acc-b refused its side (<c>quantityOffLot</c>) and the round was voided.
    /// </summary>
    [Fact]
    public void A_bankrupt_position_off_its_lot_is_auto_deleveraged_in_whole_lots_and_the_remainder_closed_by_a_close_position_order()
    {
        var venue = VenueProbe();
        Deposit("acc-1", 1_000m);
        Trade("acc-1", OrderSide.Buy, 1.0005m, 60_000m);
        OpenShort("acc-b", 5_000m, 2m, 60_000m);

        PublishMarket(Lotted(58_000m), "BTC");
        var notices = new List<AutoDeleveraged>();
        var orders = new List<LiquidationOrderIssued>();
        AdvanceUntil(() =>
        {
            while (venue.QueuedCount > 0)
            {
                switch (venue.ExpectMsg<object>())
                {
                    case AutoDeleveraged notice:
                        notices.Add(notice);
                        break;
                    case LiquidationOrderIssued order:
                        orders.Add(order);
                        break;
                }
            }

            return orders.Count > 0;
        }, TimeSpan.FromMilliseconds(20), steps: 500);

        Assert.Equal([("acc-b", OrderSide.Buy, 1.000m, 59_000.50m), ("acc-1", OrderSide.Sell, 1.000m, 59_000.50m)],
            notices.Select(n => (n.AccountId, n.Side, n.Quantity, n.Price)));
        var order = Assert.Single(orders);
        Assert.Equal((Btc, OrderSide.Sell, 0.0005m, true), (order.Symbol, order.Side, order.Quantity, order.ClosesPosition));
        Assert.Empty(History(Liquidation).Steps.OfType<AutoDeleverageFillRefused>());
        AwaitAssert(() => Assert.Equal([new Position(Btc, 0.0005m, 60_000m)], Account("acc-1").Positions));
    }

    /// <summary>
    /// A bankrupt account holding only positions under one lot: acc-1 (5 USDT) long 0.0005 BTCUSDT at 60,000 and short
    /// 0.005 ETHUSDT at 3,000, and the market file now gives the venue's lots, 0.001 and 0.01. BTC at 40,000, ETH at
    /// 3,000: equity 5 + 0.0005 x (40,000 - 60,000) + 0 = -5; the fund is empty, so all 5 USD stay uncovered. Neither
    /// position can be auto-deleveraged (a side off the lot is refused), so the backstop stalls, and its reason names
    /// each with its quantity and lot. Before, it said only "no position left to deleverage outside halted instruments
    /// and silent underlyings", which an operator looking at an account with two positions and no halt cannot act on.
    /// </summary>
    [Fact]
    public void A_bankrupt_account_with_only_positions_under_one_lot_stalls_naming_each_with_its_quantity_and_lot()
    {
        Deposit("acc-1", 5m);
        Trade("acc-1", OrderSide.Buy, 0.0005m, 60_000m);
        Trade("acc-1", OrderSide.Sell, 0.005m, 3_000m, symbol: TestMarket.EthUsdt);

        PublishMarket(TestMarket.Build(40_000m, 3_000m, TestMarket.Instruments.Select(i => i.Symbol switch
        {
            Btc => i with { LotSize = 0.001m },
            TestMarket.EthUsdt => i with { LotSize = 0.01m },
            _ => i,
        })), "BTC");
        AwaitAssert(() => Assert.Contains(History(Liquidation).Steps, s => s is LiquidationStalled), TimeSpan.FromSeconds(10));

        var cover = Assert.Single(History(Liquidation).Steps.OfType<LiquidationCoverReceived>());
        Assert.Equal((0m, 5m), (cover.CoveredUsd, cover.UncoveredUsd));
        Assert.Equal("no position left to deleverage outside halted instruments and silent underlyings; under one lot, which auto-deleveraging cannot pass "
            + "on (the book's close-position orders close them): BTCUSDT 0.0005 (lot 0.001), ETHUSDT -0.005 (lot 0.01)",
            History(Liquidation).Steps.OfType<LiquidationStalled>().First().Reason);
    }

    /// <summary>The test market at <paramref name="btc"/> with BTCUSDT's lot 0.001, as a market file that now gives the venue's lot.</summary>
    private static Risk.Market.MarketSnapshot Lotted(decimal btc) => TestMarket.Build(btc, 3_000m,
        TestMarket.Instruments.Select(i => i.Symbol == Btc ? i with { LotSize = 0.001m } : i));
}
