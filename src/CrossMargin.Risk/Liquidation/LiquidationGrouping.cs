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
/// Delta is Black-76's forward delta x quantity x contract size (units of the underlying) for options, quantity x
/// contract size for linear futures, and quantity x contract size / mark for inverse futures (a USD face in coin);
/// only its sign matters here.
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
    public static IReadOnlyList<LiquidationGroup> Of(Portfolio portfolio, MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(market);
        var open = portfolio.Positions.Where(p => p.Quantity != 0).ToArray();
        var groups = new List<LiquidationGroup>();
        groups.AddRange(open.Where(p => p.IsIsolated).Select(p => new LiquidationGroup(p.Symbol, [p.Symbol], false, true)));

        var cross = open.Where(p => !p.IsIsolated).Select(p => (Position: p, Instrument: market.GetInstrument(p.Symbol))).ToArray();
        var grouped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var underlying in cross.Where(c => c.Instrument is OptionContract).Select(c => c.Instrument.Underlying).Distinct(StringComparer.Ordinal))
        {
            var options = cross.Where(c => c.Instrument is OptionContract && c.Instrument.Underlying == underlying).ToArray();
            var optionDelta = options.Sum(c => OptionDelta(c.Position, (OptionContract)c.Instrument, market));
            var hedges = optionDelta == 0
                ? []
                : cross.Where(c => c.Instrument is not OptionContract && c.Instrument.Underlying == underlying
                                   && Math.Sign(c.Position.Quantity) == -Math.Sign(optionDelta)).ToArray();
            var symbols = options.Concat(hedges).Select(c => c.Position.Symbol).Order(StringComparer.Ordinal).ToArray();
            grouped.UnionWith(symbols);
            groups.Add(new LiquidationGroup(HedgePrefix + underlying, symbols, true, false));
        }

        groups.AddRange(cross.Where(c => !grouped.Contains(c.Position.Symbol))
            .Select(c => new LiquidationGroup(c.Position.Symbol, [c.Position.Symbol], false, false)));
        return groups.OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
    }

    private static decimal OptionDelta(Position position, OptionContract option, MarketSnapshot market)
    {
        var inputs = market.OptionInputsOf(option.Symbol);
        var delta = Black76.Greeks(option.Kind, inputs.Forward, (double)option.Strike, inputs.Years, inputs.Volatility, inputs.Rate).Delta;
        // Rounded to 1e-9 per contract so that noise in the last bits of a double cannot flip the sign of a net zero.
        return position.Quantity * option.ContractSize * Math.Round((decimal)delta, 9);
    }
}
