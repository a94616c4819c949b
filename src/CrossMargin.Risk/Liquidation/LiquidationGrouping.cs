using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Risk.Liquidation;

/// <summary>
/// Splits an account's open positions into the groups a liquidation closes as units.
/// </summary>
/// <remarks>
/// <para>
/// Hedge group, per underlying U of the cross pool: every cross option position on U, together with every cross
/// future or perpetual on U whose delta has the opposite sign to the options' net delta (the legs that delta-hedge
/// them). Closing the options alone would leave the futures naked, and closing the futures alone would leave the
/// options naked; closing every leg by the same fraction keeps the hedge ratio. Futures on U with the same sign as the
/// options' net delta add to the risk rather than hedge it and stay lone candidates; when the options' net delta is
/// exactly zero no future is their hedge.
/// </para>
/// <para>
/// Only the part of the hedging futures that offsets the options' delta D joins them. When their deltas add up to more
/// than |D| (by a factor 1/k), each keeps a naked part of its position x (1 - k), rounded down to its quantity increment,
/// as a lone group under its own symbol; the rest (at least k of it, so the options stay hedged) is in the hedge group.
/// Otherwise a halted option, or an option leg with no budget, would freeze the liquidation of a large, mostly naked
/// future with it (one option of delta 0.5 BTC against a short of 100 BTC).
/// </para>
/// <para>
/// Delta is Black-76's forward delta x quantity x contract size (units of the underlying) for options, quantity x
/// contract size for linear futures, and quantity x contract size / mark for inverse futures (a USD face in coin).
/// </para>
/// <para>
/// Every other cross position is a group of its own, and every isolated position is a group of its own whatever its
/// instrument: it has its own margin, so it is liquidated on it. Flat positions are left out. Groups come in ordinal
/// order of their key, so the result is deterministic.
/// </para>
/// </remarks>
public static class LiquidationGrouping
{
    /// <summary>The prefix of a hedge group's key.</summary>
    public const string HedgePrefix = "hedge:";

    /// <summary>The groups of <paramref name="portfolio"/>'s open positions at <paramref name="market"/>.</summary>
    /// <param name="portfolio">The account.</param>
    /// <param name="market">The market, for the options' and inverse futures' deltas.</param>
    /// <param name="quantityIncrement">The quantity increment of a symbol, to which a future's naked part is rounded down.</param>
    public static IReadOnlyList<LiquidationGroup> Of(Portfolio portfolio, MarketSnapshot market, Func<string, decimal> quantityIncrement)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(quantityIncrement);
        var open = portfolio.Positions.Where(p => p.Quantity != 0).ToArray();
        var groups = new List<LiquidationGroup>();
        groups.AddRange(open.Where(p => p.IsIsolated).Select(Lone));

        var cross = open.Where(p => !p.IsIsolated).Select(p => (Position: p, Instrument: market.GetInstrument(p.Symbol))).ToArray();
        var naked = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var c in cross)
        {
            naked[c.Position.Symbol] = c.Position.Quantity;
        }

        foreach (var underlying in cross.Where(c => c.Instrument is OptionContract).Select(c => c.Instrument.Underlying).Distinct(StringComparer.Ordinal))
        {
            var options = cross.Where(c => c.Instrument is OptionContract && c.Instrument.Underlying == underlying).ToArray();
            var optionDelta = options.Sum(c => OptionDelta(c.Position, (OptionContract)c.Instrument, market));
            var hedges = optionDelta == 0
                ? []
                : cross.Where(c => c.Instrument is not OptionContract && c.Instrument.Underlying == underlying
                                   && Math.Sign(c.Position.Quantity) == -Math.Sign(optionDelta)).ToArray();
            var hedgeDelta = hedges.Sum(c => Math.Abs(FutureDelta(c.Position, c.Instrument, market)));
            var share = hedgeDelta > Math.Abs(optionDelta) ? Math.Abs(optionDelta) / hedgeDelta : 1m;
            var quantities = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var option in options)
            {
                quantities[option.Position.Symbol] = option.Position.Quantity;
                naked[option.Position.Symbol] = 0m;
            }

            foreach (var hedge in hedges)
            {
                var size = Math.Abs(hedge.Position.Quantity);
                var lot = quantityIncrement(hedge.Position.Symbol);
                var left = share == 1m ? 0m : Math.Floor(size * (1 - share) / lot) * lot;
                var sign = Math.Sign(hedge.Position.Quantity);
                quantities[hedge.Position.Symbol] = sign * (size - left);
                naked[hedge.Position.Symbol] = sign * left;
            }

            var symbols = quantities.Keys.Order(StringComparer.Ordinal).ToArray();
            groups.Add(new LiquidationGroup(HedgePrefix + underlying, symbols, true, false, quantities));
        }

        groups.AddRange(cross.Where(c => naked[c.Position.Symbol] != 0).Select(c => Lone(c.Position with { Quantity = naked[c.Position.Symbol] })));
        return groups.OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
    }

    private static LiquidationGroup Lone(Position position) =>
        new(position.Symbol, [position.Symbol], false, position.IsIsolated,
            new Dictionary<string, decimal>(StringComparer.Ordinal) { [position.Symbol] = position.Quantity });

    private static decimal FutureDelta(Position position, Instrument future, MarketSnapshot market) =>
        future.Settlement == SettlementKind.Inverse
            ? position.Quantity * future.ContractSize / market.MarkOf(future.Symbol).MarkPrice
            : position.Quantity * future.ContractSize;

    private static decimal OptionDelta(Position position, OptionContract option, MarketSnapshot market)
    {
        var inputs = market.OptionInputsOf(option.Symbol);
        var delta = Black76.Greeks(option.Kind, inputs.Forward, (double)option.Strike, inputs.Years, inputs.Volatility, inputs.Rate).Delta;
        // Rounded to 1e-9 per contract so that noise in the last bits of a double cannot flip the sign of a net zero.
        return position.Quantity * option.ContractSize * Math.Round((decimal)delta, 9);
    }
}
