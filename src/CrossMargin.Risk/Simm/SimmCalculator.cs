using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;

namespace CrossMargin.Risk.Simm;

/// <summary>
/// The aggregation of ISDA SIMM (equity-style risk class, one risk factor per underlying, vega summed over expiries)
/// applied to net sensitivities. Per risk class: weighted sensitivities per underlying, a bucket aggregate
/// K_b = sqrt(sum WS_k^2 + sum_{k != l} rho f_kl WS_k WS_l) with f_kl = min(CR)/max(CR), S_b = sum WS_k capped to
/// [-K_b, K_b], and the class margin sqrt(sum K_b^2 + sum_{b != c} gamma_bc S_b S_c) over the regular buckets plus the K
/// of each residual bucket. Curvature uses rho^2 and gamma^2, no concentration, and SIMM's lambda:
/// max(sum CVR + lambda x that root, 0), with CVR_k = sum over expiries of SF(t) x sigma x vega in SIMM's own sign
/// (the portfolio's vega, positive for long options). Hence, as in ISDA's unit tests, a long-option-only book pays
/// N^-1(99.5%)^2 x CVR per lone factor and a short-option-only book pays no curvature (theta = -1, lambda = 1,
/// sum CVR + K &lt;= 0); short options are charged through delta and vega. Arithmetic in double; the margins are
/// snapped to 1e-6 USD.
/// </summary>
public static class SimmCalculator
{
    /// <summary>N^-1(0.995), for the curvature scaling lambda.</summary>
    public const double CurvatureQuantile = 2.5758293035489004;

    /// <summary>The curvature scaling function SF(t) = 0.5 x min(1, 14 / days).</summary>
    public static double ScalingFunction(double days) => 0.5 * Math.Min(1.0, 14.0 / Math.Max(days, 1e-9));

    /// <summary>One expiry's contribution to <see cref="SimmSensitivity.CurvatureVegaUsd"/>: SF(days) x its vega.</summary>
    public static double CurvatureInput(double days, double vegaUsd) => vegaUsd != 0 ? ScalingFunction(days) * vegaUsd : 0;

    /// <summary>Delta, vega and curvature margins of <paramref name="sensitivities"/> (one per underlying).</summary>
    public static (SimmRiskClassMargin Delta, SimmRiskClassMargin Vega, SimmRiskClassMargin Curvature) Compute(
        IReadOnlyList<SimmSensitivity> sensitivities, SimmParameters parameters)
    {
        var byBucket = sensitivities
            .GroupBy(s => parameters.BucketFor(s.Underlying).Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Bucket: parameters.BucketFor(g.First().Underlying), Items: g.OrderBy(s => s.Underlying, StringComparer.Ordinal).ToArray()))
            .ToArray();

        var delta = byBucket.Select(b => Bucket(b.Bucket, b.Bucket.IntraCorrelation, b.Items.Select(s =>
        {
            var cr = Math.Max(1, Math.Sqrt(Math.Abs(s.DeltaUsd) / b.Bucket.DeltaThresholdUsd));
            return new SimmFactor(s.Underlying, s.DeltaUsd, cr, b.Bucket.DeltaRiskWeight * s.DeltaUsd * cr);
        }), useConcentration: true)).ToArray();

        var vega = byBucket.Select(b => Bucket(b.Bucket, b.Bucket.IntraCorrelation, b.Items.Select(s =>
        {
            var risk = parameters.HistoricalVolatilityRatio * b.Bucket.Sigma * s.VegaUsd;
            var vcr = Math.Max(1, Math.Sqrt(Math.Abs(risk) / b.Bucket.VegaThresholdUsd));
            return new SimmFactor(s.Underlying, risk, vcr, b.Bucket.VegaRiskWeight * risk * vcr);
        }), useConcentration: true)).ToArray();

        var curvature = byBucket.Select(b => Bucket(b.Bucket, b.Bucket.IntraCorrelation * b.Bucket.IntraCorrelation, b.Items.Select(s =>
        {
            // SIMM's sign, not a loss orientation: ISDA's equity unit tests charge a lone long vega (EQV1) and give a
            // lone short vega no curvature (EQV4); SimmPublishedExampleTests pins both. HVR does not enter curvature.
            var cvr = b.Bucket.Sigma * s.CurvatureVegaUsd;
            return new SimmFactor(s.Underlying, cvr, 1, cvr);
        }), useConcentration: false)).ToArray();

        // Residual buckets stand outside the inter-bucket aggregation: their K is added, and each has its own curvature.
        var residual = byBucket.Select(b => b.Bucket.Residual).ToArray();
        SimmBucketMargin[] Regular(SimmBucketMargin[] all) => all.Where((_, i) => !residual[i]).ToArray();
        SimmBucketMargin[] Residuals(SimmBucketMargin[] all) => all.Where((_, i) => residual[i]).ToArray();
        double Gamma(string x, string y) => parameters.Gamma(x, y);
        double GammaSquared(string x, string y) => parameters.Gamma(x, y) * parameters.Gamma(x, y);

        var deltaMargin = Across(Regular(delta), Gamma) + Residuals(delta).Sum(b => b.K);
        var vegaMargin = Across(Regular(vega), Gamma) + Residuals(vega).Sum(b => b.K);
        var (regularCurvature, lambda, theta) = Curvature(Regular(curvature), GammaSquared);
        var curvatureMargin = regularCurvature + Residuals(curvature).Sum(b => Curvature([b], GammaSquared).Margin);
        return (
            new SimmRiskClassMargin("delta", MarginRounding.FromKernel(deltaMargin), delta),
            new SimmRiskClassMargin("vega", MarginRounding.FromKernel(vegaMargin), vega),
            new SimmRiskClassMargin("curvature", MarginRounding.FromKernel(curvatureMargin), curvature, lambda, theta));
    }

    // max(sum CVR + lambda x root, 0) with theta and lambda of these buckets' CVRs.
    private static (double Margin, double Lambda, double Theta) Curvature(SimmBucketMargin[] buckets, Func<string, string, double> gammaSquared)
    {
        var sum = buckets.SelectMany(b => b.Factors).Sum(f => f.Weighted);
        var sumAbs = buckets.SelectMany(b => b.Factors).Sum(f => Math.Abs(f.Weighted));
        var theta = sumAbs > 0 ? Math.Min(sum / sumAbs, 0) : 0;
        var lambda = (((CurvatureQuantile * CurvatureQuantile) - 1) * (1 + theta)) - theta;
        return (Math.Max(sum + (lambda * Across(buckets, gammaSquared)), 0), lambda, theta);
    }

    private static SimmBucketMargin Bucket(SimmBucket bucket, double rho, IEnumerable<SimmFactor> factors, bool useConcentration)
    {
        var f = factors.ToArray();
        var sumSquares = 0.0;
        for (var k = 0; k < f.Length; k++)
        {
            sumSquares += f[k].Weighted * f[k].Weighted;
            for (var l = 0; l < f.Length; l++)
            {
                if (l != k)
                {
                    var fkl = useConcentration ? Math.Min(f[k].Concentration, f[l].Concentration) / Math.Max(f[k].Concentration, f[l].Concentration) : 1;
                    sumSquares += rho * fkl * f[k].Weighted * f[l].Weighted;
                }
            }
        }

        // Negative correlations can take the sum a hair below zero; the aggregate of a risk is never imaginary.
        var kb = Math.Sqrt(Math.Max(sumSquares, 0));
        var s = Math.Clamp(f.Sum(x => x.Weighted), -kb, kb);
        return new SimmBucketMargin(bucket.Name, kb, s, f);
    }

    private static double Across(SimmBucketMargin[] buckets, Func<string, string, double> gamma)
    {
        var total = 0.0;
        for (var b = 0; b < buckets.Length; b++)
        {
            total += buckets[b].K * buckets[b].K;
            for (var c = 0; c < buckets.Length; c++)
            {
                if (c != b)
                {
                    total += gamma(buckets[b].Bucket, buckets[c].Bucket) * buckets[b].S * buckets[c].S;
                }
            }
        }

        return Math.Sqrt(Math.Max(total, 0));
    }

    /// <summary>
    /// Net sensitivities of <paramref name="holdings"/> per underlying, by full revaluation: delta = value after a +1%
    /// move less value now (SIMM's one-sided bump); vega = value after +1 vol point less value now; curvature input =
    /// sum over options of SF(days to expiry) x vega.
    /// </summary>
    public static IReadOnlyList<SimmSensitivity> Sensitivities(IEnumerable<Holding> holdings, MarketSnapshot market)
    {
        var result = new SortedDictionary<string, (double Delta, double Vega, double Curvature)>(StringComparer.Ordinal);
        foreach (var h in holdings)
        {
            var u = h.Instrument.Underlying;
            var delta = h.PnlUsd(market, 1.01, 0);
            var vega = h.Instrument is Instruments.OptionContract ? h.PnlUsd(market, 1, 0.01) : 0;
            var days = h.Instrument is Instruments.OptionContract o ? market.OptionInputsOf(o.Symbol).Days : 0;
            var prior = result.GetValueOrDefault(u);
            result[u] = (prior.Delta + delta, prior.Vega + vega, prior.Curvature + CurvatureInput(days, vega));
        }

        return result.Select(r => new SimmSensitivity(r.Key, r.Value.Delta, r.Value.Vega, r.Value.Curvature)).ToArray();
    }
}
