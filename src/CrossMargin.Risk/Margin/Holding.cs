using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Margin;

/// <summary>A quantity of one instrument, as the sensitivity and simulation models see it.</summary>
/// <param name="Instrument">The instrument.</param>
/// <param name="Quantity">Signed contracts.</param>
/// <param name="EntryPrice">Entry (only an inverse future's revaluation needs it).</param>
public sealed record Holding(Instrument Instrument, decimal Quantity, decimal EntryPrice)
{
    /// <summary>
    /// The holdings of the three open-order cases every model considers: the positions, the positions with every buy
    /// order filled, and with every sell order filled (at the order's price, which an inverse future's entry needs).
    /// </summary>
    public static IReadOnlyList<(string Case, IReadOnlyList<Holding> Holdings)> Cases(
        IReadOnlyList<PositionValuation> positions, IReadOnlyList<OpenOrder> openOrders, Func<string, Instrument> instrumentOf)
    {
        var held = positions.Select(p => new Holding(p.Instrument, p.Position.Quantity, p.Position.EntryPrice)).ToArray();
        IReadOnlyList<Holding> With(OrderSide side)
        {
            var list = held.ToList();
            foreach (var order in openOrders.Where(o => o.Side == side))
            {
                var i = list.FindIndex(h => h.Instrument.Symbol == order.Symbol);
                if (i < 0)
                {
                    list.Add(new Holding(instrumentOf(order.Symbol), order.SignedQuantity, order.Price));
                }
                else
                {
                    list[i] = list[i] with { Quantity = list[i].Quantity + order.SignedQuantity, EntryPrice = list[i].EntryPrice > 0 ? list[i].EntryPrice : order.Price };
                }
            }

            return list;
        }

        return openOrders.Count == 0
            ? [("positions", held)]
            : [("positions", held), ("positions + buy orders", With(OrderSide.Buy)), ("positions + sell orders", With(OrderSide.Sell))];
    }

    /// <summary>USD change in value under a price factor and vol move of its underlying (<see cref="Revaluation.PnlUsd"/>).</summary>
    public double PnlUsd(Market.MarketSnapshot market, double spotFactor, double volShift, double volFactor = 1) =>
        Revaluation.PnlUsd(Instrument, (double)Quantity, EntryPrice, market, spotFactor, volShift, volFactor);
}
