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
    /// An order on an inverse future is a holding of its own at its price: the entry scales such a holding's exposure
    /// (<see cref="Revaluation.PnlUsd"/>), so merged into a position it would take that position's entry instead.
    /// Orders on other instruments, whose revaluation does not read the entry, are added to the symbol's holding.
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
                var instrument = instrumentOf(order.Symbol);
                var i = IsInverseFuture(instrument) ? -1 : list.FindIndex(h => h.Instrument.Symbol == order.Symbol);
                if (i < 0)
                {
                    list.Add(new Holding(instrument, order.SignedQuantity, order.Price));
                }
                else
                {
                    list[i] = list[i] with { Quantity = list[i].Quantity + order.SignedQuantity };
                }
            }

            return list;
        }

        return openOrders.Count == 0
            ? [("positions", held)]
            : [("positions", held), ("positions + buy orders", With(OrderSide.Buy)), ("positions + sell orders", With(OrderSide.Sell))];
    }

    private static bool IsInverseFuture(Instrument instrument) =>
        instrument is not OptionContract && instrument.Settlement == SettlementKind.Inverse;

    /// <summary>USD change in value under a price factor and vol move of its underlying (<see cref="Revaluation.PnlUsd"/>).</summary>
    public double PnlUsd(Market.MarketSnapshot market, double spotFactor, double volShift, double volFactor = 1) =>
        Revaluation.PnlUsd(Instrument, (double)Quantity, EntryPrice, market, spotFactor, volShift, volFactor);
}
