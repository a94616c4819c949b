using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Stress;

/// <summary>
/// A move of the market: per underlying a relative spot move (-0.3 = -30%) and a vol shift in vol points as a
/// fraction (0.1 = +10 points); underlyings not named move by <see cref="OtherSpotMove"/> and
/// <see cref="OtherVolShift"/>. Index, forwards and futures marks scale together; options are repriced (Black-76,
/// sticky strike, vol floored at <see cref="Revaluation.MinimumVolatility"/>); stablecoins keep their prices.
/// </summary>
public sealed record MarketShock
{
    /// <summary>Creates a shock; moves must be above -100%.</summary>
    public MarketShock(IReadOnlyDictionary<string, double>? spotMoves = null, IReadOnlyDictionary<string, double>? volShifts = null,
        double otherSpotMove = 0, double otherVolShift = 0)
    {
        SpotMoves = new Dictionary<string, double>(spotMoves ?? new Dictionary<string, double>(), StringComparer.Ordinal);
        VolShifts = new Dictionary<string, double>(volShifts ?? new Dictionary<string, double>(), StringComparer.Ordinal);
        foreach (var move in SpotMoves.Values.Append(otherSpotMove))
        {
            if (!(move > -1) || !double.IsFinite(move))
            {
                throw new ArgumentOutOfRangeException(nameof(spotMoves), move, "A spot move must be finite and above -100%.");
            }
        }

        if (VolShifts.Values.Append(otherVolShift).Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentOutOfRangeException(nameof(volShifts), "A vol shift must be finite.");
        }

        OtherSpotMove = otherSpotMove;
        OtherVolShift = otherVolShift;
    }

    /// <summary>Relative spot move per named underlying.</summary>
    public IReadOnlyDictionary<string, double> SpotMoves { get; }

    /// <summary>Vol shift (points as a fraction) per named underlying.</summary>
    public IReadOnlyDictionary<string, double> VolShifts { get; }

    /// <summary>The spot move of every underlying not named.</summary>
    public double OtherSpotMove { get; }

    /// <summary>The vol shift of every underlying not named.</summary>
    public double OtherVolShift { get; }

    /// <summary>No move at all.</summary>
    public static MarketShock None { get; } = new();

    /// <summary>The same spot move for every underlying, vols unchanged.</summary>
    public static MarketShock Uniform(double spotMove, double volShift = 0) => new(otherSpotMove: spotMove, otherVolShift: volShift);

    /// <summary>The price factor (1 + move) of <paramref name="underlying"/>.</summary>
    public double SpotFactor(string underlying) => 1 + SpotMoves.GetValueOrDefault(underlying, OtherSpotMove);

    /// <summary>The vol shift of <paramref name="underlying"/>.</summary>
    public double VolShift(string underlying) => VolShifts.GetValueOrDefault(underlying, OtherVolShift);

    /// <summary>
    /// <paramref name="market"/> after the shock: the same instruments and instant, with every underlying's index,
    /// forwards and futures marks scaled, and options marked at their pre-shock mark plus the Black-76 change, with
    /// their shifted vol. Equity of a portfolio changes by exactly the sum of <see cref="Revaluation.PnlUsd"/> over its
    /// holdings plus the revaluation of its coin balances.
    /// </summary>
    public MarketSnapshot Apply(MarketSnapshot market)
    {
        var underlyings = market.UnderlyingMarkets.Select(u => u.Name).ToHashSet(StringComparer.Ordinal);
        var prices = market.AssetPrices.ToDictionary(
            p => p.Key, p => underlyings.Contains(p.Key) ? Scale(p.Value, SpotFactor(p.Key)) : p.Value, StringComparer.Ordinal);
        var markets = market.UnderlyingMarkets.Select(u => u.Moved((decimal)SpotFactor(u.Name))).ToArray();
        var marks = market.Instruments.Select(i => ShockedMark(i, market)).ToArray();
        return new MarketSnapshot(market.ValuationTime, market.Instruments, prices, markets, marks);
    }

    private InstrumentMark ShockedMark(Instrument instrument, MarketSnapshot market)
    {
        var mark = market.MarkOf(instrument.Symbol);
        var f = SpotFactor(instrument.Underlying);
        if (instrument is not OptionContract option)
        {
            return mark with { MarkPrice = Scale(mark.MarkPrice, f) };
        }

        var inputs = market.OptionInputsOf(option.Symbol);
        var dv = VolShift(option.Underlying);
        var change = Revaluation.OptionValueChange(option, inputs, f, dv);
        var price = option.Settlement == SettlementKind.Linear
            ? (double)mark.MarkPrice + change
            // Coin mark m' with m' x S f = m x S + (S/F) x change, so the USD value moves by the Black-76 change.
            : ((double)mark.MarkPrice + (change / inputs.Forward)) / f;
        return new InstrumentMark(option.Symbol, (decimal)Math.Max(price, 0), Revaluation.ShockedVolatility(inputs.Volatility, dv));
    }

    private static decimal Scale(decimal value, double factor) => value * (decimal)factor;
}
