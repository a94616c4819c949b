using System.Globalization;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Benchmarks.Book;

/// <summary>
/// A USDC-settled BTC and ETH market at a fixed instant: per underlying a linear perpetual, four dated futures and
/// 8 option expiries (7 to 270 days) of 25 strikes, calls and puts (about 800 options). Strikes are spaced in
/// standard deviations around the forward; the smile is vol = atm x (1 - 0.04 z + 0.02 z^2) with z in those units.
/// Everything is a formula of the price level, so a market "moved by 1%" lists the same instruments.
/// </summary>
internal static class SyntheticMarket
{
    /// <summary>The fixed valuation instant (no clock is read).</summary>
    public static readonly DateTimeOffset ValuationTime = new(2026, 1, 15, 8, 0, 0, TimeSpan.Zero);

    private static readonly int[] OptionDays = [7, 14, 30, 60, 90, 120, 180, 270];
    private static readonly int[] FutureDays = [30, 90, 180, 270];
    private static readonly UnderlyingSpec[] Specs =
    [
        new("BTC", Index: 95_000m, Basis: 0.06, AtmVol: 0.52, StrikeStep: 500m, LinearSize: 0.001m, OptionSize: 0.01m),
        new("ETH", Index: 3_300m, Basis: 0.05, AtmVol: 0.68, StrikeStep: 25m, LinearSize: 0.01m, OptionSize: 0.1m),
    ];

    /// <summary>The underlyings listed.</summary>
    public static IReadOnlyList<string> Underlyings { get; } = Specs.Select(s => s.Name).ToArray();

    /// <summary>The instruments listed (the same list for every price level).</summary>
    public static IReadOnlyList<Instrument> Instruments { get; } = BuildInstruments();

    /// <summary>The market with every index, forward and mark at <paramref name="priceFactor"/> x the base level.</summary>
    public static MarketSnapshot Snapshot(double priceFactor)
    {
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal) { ["USDC"] = 1m };
        var markets = new List<UnderlyingMarket>();
        var marks = new List<InstrumentMark>();
        foreach (var spec in Specs)
        {
            var index = spec.Index * (decimal)priceFactor;
            prices[spec.Name] = index;
            markets.Add(new UnderlyingMarket(spec.Name, rate: 0,
                FutureDays.Select(d => new ForwardPoint(Expiry(d), Math.Round((decimal)Forward(spec, (double)index, d), 2)))));
        }

        foreach (var instrument in Instruments)
        {
            var spec = Specs.Single(s => s.Name == instrument.Underlying);
            var index = (double)prices[spec.Name];
            marks.Add(instrument switch
            {
                Perpetual p => new InstrumentMark(p.Symbol, Math.Round((decimal)index, 2)),
                Future f => new InstrumentMark(f.Symbol, Math.Round((decimal)Forward(spec, index, Days(f)), 2)),
                OptionContract o => OptionMark(spec, o, index),
                _ => throw new InvalidOperationException(instrument.Symbol),
            });
        }

        return new MarketSnapshot(ValuationTime, Instruments, prices, markets, marks);
    }

    private static InstrumentMark OptionMark(UnderlyingSpec spec, OptionContract option, double index)
    {
        var days = Days(option);
        var years = days / 365.0;
        var forward = Forward(spec, index, days);
        var atm = AtmVol(spec, days);
        var z = Math.Log((double)option.Strike / forward) / (atm * Math.Sqrt(years));
        var vol = atm * (1 - (0.04 * z) + (0.02 * z * z));
        var price = Black76.Price(option.Kind, forward, (double)option.Strike, years, vol, 0);
        return new InstrumentMark(option.Symbol, Math.Round((decimal)price, 2), vol);
    }

    private static Instrument[] BuildInstruments()
    {
        var list = new List<Instrument>();
        foreach (var spec in Specs)
        {
            var root = $"{spec.Name}_USDC";
            list.Add(new Perpetual($"{root}-PERPETUAL", spec.Name, "USDC", "USDC", SettlementKind.Linear, spec.LinearSize, 0.1m));
            list.AddRange(FutureDays.Select(d =>
                new Future($"{root}-{Label(d)}", spec.Name, "USDC", "USDC", SettlementKind.Linear, spec.LinearSize, 0.1m, Expiry(d))));
            foreach (var days in OptionDays)
            {
                var forward = Forward(spec, (double)spec.Index, days);
                var width = AtmVol(spec, days) * Math.Sqrt(days / 365.0);
                var strikes = Enumerable.Range(-12, 25)
                    .Select(j => Math.Round((decimal)(forward * Math.Exp(j * 0.2 * width)) / spec.StrikeStep) * spec.StrikeStep)
                    .Distinct();
                foreach (var strike in strikes)
                {
                    foreach (var kind in new[] { OptionKind.Call, OptionKind.Put })
                    {
                        var symbol = string.Create(CultureInfo.InvariantCulture, $"{root}-{Label(days)}-{strike:0}-{(kind == OptionKind.Call ? 'C' : 'P')}");
                        list.Add(new OptionContract(symbol, spec.Name, "USDC", "USDC", SettlementKind.Linear, spec.OptionSize,
                            spec.StrikeStep / 100, Expiry(days), kind, strike));
                    }
                }
            }
        }

        return list.ToArray();
    }

    private static double Forward(UnderlyingSpec spec, double index, double days) => index * Math.Exp(spec.Basis * days / 365.0);

    /// <summary>A term structure falling from 1.15 x to 0.95 x the base vol.</summary>
    private static double AtmVol(UnderlyingSpec spec, double days) => spec.AtmVol * (0.95 + (0.2 * Math.Exp(-days / 30.0)));

    private static DateTimeOffset Expiry(int days) => ValuationTime.AddDays(days);

    private static double Days(Instrument instrument) => YearFraction.Days(ValuationTime, instrument.Expiry!.Value);

    private static string Label(int days) => Expiry(days).ToString("ddMMMyy", CultureInfo.InvariantCulture).ToUpperInvariant();

    private sealed record UnderlyingSpec(
        string Name, decimal Index, double Basis, double AtmVol, decimal StrikeStep, decimal LinearSize, decimal OptionSize);
}
