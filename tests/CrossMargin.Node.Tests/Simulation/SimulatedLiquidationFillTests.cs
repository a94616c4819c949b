using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Api;
using CrossMargin.Node.Hosting;
using CrossMargin.Risk.Serialization;
using CrossMargin.Simulator;

namespace CrossMargin.Node.Tests.Simulation;

/// <summary>The matching engine stand-in's fills of the coordinator's liquidation orders.</summary>
public sealed class SimulatedLiquidationFillTests
{
    /// <summary>
    /// The fund's account takes only fills of the coordinator's own orders (<see cref="FundAccountGuard"/>): a fill of
    /// its unwind must name the order, as a venue's does. A cluster run of the simulator had 396 of them refused
    /// "forbidden" when the fill carried an order id of the stand-in's own making, and the fund's account never unwound.
    /// </summary>
    [Fact]
    public void A_fill_of_a_liquidation_order_names_the_order_so_the_funds_account_takes_it()
    {
        var opening = MarketFile.Load(Path.Combine(ConfigurationDirectory.Resolve([]), "venue", "market.json"));
        var trades = new TradeFactory(opening, () => opening.ValuationTime);
        var orderId = LiquidationOrderIds.Order("liq-insurance-fund-1", 1, 1);

        var (taker, maker) = trades.Trade("insurance-fund", "mm-1", "BTC-PERP", false, 1m, 41_973.3m, takerIsLiquidation: true, takerOrderId: orderId);

        Assert.Equal((orderId, true), (taker.OrderId, taker.IsLiquidation));
        Assert.NotEqual(orderId, maker.OrderId);
        Assert.Null(FundAccountGuard.Refusal("insurance-fund", "insurance-fund", taker, "execution"));
    }
}
