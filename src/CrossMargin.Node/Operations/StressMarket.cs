using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Node.Operations;

/// <summary>
/// A market moved by a stress scenario: index prices, forwards and futures marks of each shocked name move by its
/// relative shock; options are repriced with Black-76 at the moved forward and their vol moved by the vol points
/// (floored at 1 vol point), so option values follow both moves.
/// </summary>
public static class StressMarket
{
    /// <summary>Moves <paramref name="market"/>; <paramref name="assets"/> are every asset with an index price.</summary>
    /// <exception cref="ArgumentException">A shock names nothing in the market, is -100% or worse, or takes a price past a decimal's range.</exception>
    public static MarketSnapshot Shock(MarketSnapshot market, IReadOnlyList<string> assets, IReadOnlyDictionary<string, decimal> spot, double volPoints)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(assets);
        ArgumentNullException.ThrowIfNull(spot);
        var underlyings = market.Instruments.Select(i => i.Underlying).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var (name, shock) in spot)
        {
            if (!assets.Contains(name, StringComparer.Ordinal) && !underlyings.Contains(name, StringComparer.Ordinal))
            {
                throw new ArgumentException($"Shock for {name}: no such asset or underlying (known: {string.Join(", ", assets.Union(underlyings))}).");
            }

            if (shock <= -1)
            {
                throw new ArgumentException($"Shock for {name}: {shock:P0} would make the price zero or negative.");
            }
        }

        if (!double.IsFinite(volPoints))
        {
            throw new ArgumentException("The vol shock must be a finite number of vol points.");
        }

        decimal Factor(string name) => 1 + spot.GetValueOrDefault(name);
        try
        {
            var prices = assets.Where(market.HasPrice).ToDictionary(a => a, a => market.PriceOf(a) * Factor(a), StringComparer.Ordinal);
            var moved = underlyings.Select(market.UnderlyingOf)
                .Select(u => u.Moved(Factor(u.Name)))
                .ToArray();
            var marks = market.Instruments.Select(i => Mark(market, i, (double)Factor(i.Underlying), volPoints)).ToArray();
            return new MarketSnapshot(market.ValuationTime, market.Instruments, prices, moved, marks);
        }
        catch (OverflowException)
        {
            // Each move is a decimal the contract read exactly, but a price times 1 + move need not be one.
            var moves = string.Join(", ", spot.Select(s => FormattableString.Invariant($"{s.Key} {s.Value:+0.############;-0.############}")));
            throw new ArgumentException($"The moves ({moves}) take a price or mark past a decimal's range (about 7.9e28).");
        }
    }

    private static InstrumentMark Mark(MarketSnapshot market, Instrument instrument, double factor, double volPoints)
    {
        var mark = market.MarkOf(instrument.Symbol);
        if (instrument is not OptionContract option)
        {
            return mark with { MarkPrice = mark.MarkPrice * (decimal)factor };
        }

        var inputs = market.OptionInputsOf(option.Symbol);
        var forward = inputs.Forward * factor;
        var vol = Math.Max(0.01, inputs.Volatility + (volPoints / 100));
        var usd = Black76.Price(option.Kind, forward, (double)option.Strike, inputs.Years, vol, inputs.Rate);
        var price = option.Settlement == SettlementKind.Inverse ? usd / forward : usd;
        return new InstrumentMark(option.Symbol, (decimal)price, vol);
    }
}
