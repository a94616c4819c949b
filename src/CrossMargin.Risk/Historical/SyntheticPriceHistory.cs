namespace CrossMargin.Risk.Historical;

/// <summary>
/// A seeded synthetic history for demos and tests: correlated geometric Brownian motions with a stressed regime (a
/// window of higher volatility and a downward drift, like a crypto crash), and optionally an implied vol per
/// underlying: a mean-reverting log vol that rises when its price falls (the leverage effect) and reverts towards a
/// level twice as high in the stressed regime. The same seed gives the same prices on every machine: <see cref="Random"/>
/// with a seed is a fixed algorithm, and normals come from Box-Muller. The vols draw their own noise from a second
/// generator, so a history with vols has exactly the prices of the same history without.
/// </summary>
public static class SyntheticPriceHistory
{
    /// <summary>One series.</summary>
    /// <param name="Name">The underlying.</param>
    /// <param name="StartPrice">Price on the first date.</param>
    /// <param name="AnnualVolatility">Volatility outside the stressed window.</param>
    /// <param name="Beta">Loading on the common (first-series) shock; the rest is idiosyncratic, so correlation with the first is Beta.</param>
    public sealed record Series(string Name, double StartPrice, double AnnualVolatility, double Beta);

    /// <summary>The demo's series: BTC and ETH, correlated at 0.8.</summary>
    public static IReadOnlyList<Series> Demo { get; } = [new("BTC", 30_000, 0.55, 1.0), new("ETH", 1_800, 0.70, 0.8)];

    /// <summary>Seed of the demo history shipped as config/risk/history-btc-eth.csv.</summary>
    public const int DemoSeed = 20261121;

    /// <summary>Implied vol over realised vol in calm days: option sellers' premium.</summary>
    public const double ImpliedVolatilityPremium = 1.1;

    /// <summary>
    /// The demo history: 730 days of BTC and ETH from 2024-11-21 to 2026-11-20 (the day before the example market),
    /// with a 30-day crash regime (3x vol, -1% a day) on days 400-429, 2025-12-26 to 2026-01-24, and implied vols.
    /// </summary>
    public static PriceHistory DemoHistory() => Generate(DemoSeed, new DateOnly(2024, 11, 21), 730, Demo, 400, 430, withImpliedVolatilities: true);

    /// <summary>
    /// Generates <paramref name="days"/> daily closes from <paramref name="start"/>; days in
    /// [<paramref name="stressFrom"/>, <paramref name="stressTo"/>) (indexes) have <paramref name="stressVolMultiplier"/>
    /// x the volatility and a drift of <paramref name="stressDailyDrift"/> per day. With
    /// <paramref name="withImpliedVolatilities"/>, each underlying also gets a daily implied vol (4 decimals) starting at
    /// <see cref="ImpliedVolatilityPremium"/> x its annual volatility.
    /// </summary>
    public static PriceHistory Generate(int seed, DateOnly start, int days, IReadOnlyList<Series> series,
        int stressFrom, int stressTo, double stressVolMultiplier = 3, double stressDailyDrift = -0.01, bool withImpliedVolatilities = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 2);
        var random = new Random(seed);
        var volNoise = new Random(unchecked(seed * 31 + 7));
        var prices = series.Select(s => new double[days]).ToArray();
        var vols = series.Select(s => new double[days]).ToArray();
        for (var u = 0; u < series.Count; u++)
        {
            prices[u][0] = series[u].StartPrice;
            vols[u][0] = Math.Round(series[u].AnnualVolatility * ImpliedVolatilityPremium, 4);
        }

        for (var t = 1; t < days; t++)
        {
            var stressed = t >= stressFrom && t < stressTo;
            var common = Normal(random);
            for (var u = 0; u < series.Count; u++)
            {
                var s = series[u];
                var z = u == 0 ? common : (s.Beta * common) + (Math.Sqrt(Math.Max(0, 1 - (s.Beta * s.Beta))) * Normal(random));
                var sigma = s.AnnualVolatility / Math.Sqrt(365) * (stressed ? stressVolMultiplier : 1);
                var drift = (stressed ? stressDailyDrift : 0) - (0.5 * sigma * sigma);
                prices[u][t] = Math.Round(prices[u][t - 1] * Math.Exp(drift + (sigma * z)), 2);
                if (withImpliedVolatilities)
                {
                    // Log vol: 10% a day back to its regime's level, -4% per standard price shock, 3% noise of its own.
                    var level = Math.Log(s.AnnualVolatility * ImpliedVolatilityPremium * (stressed ? 2 : 1));
                    var logVol = Math.Log(vols[u][t - 1]);
                    var next = logVol + (0.1 * (level - logVol)) - (0.04 * z) + (0.03 * Normal(volNoise));
                    vols[u][t] = Math.Round(Math.Clamp(Math.Exp(next), 0.05, 5), 4);
                }
            }
        }

        var impliedVolatilities = withImpliedVolatilities
            ? series.Select((s, u) => (s.Name, vols[u])).ToDictionary(x => x.Name, x => x.Item2, StringComparer.Ordinal)
            : null;
        return new PriceHistory(Enumerable.Range(0, days).Select(start.AddDays), series.Select(s => s.Name), prices, impliedVolatilities);
    }

    private static double Normal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
