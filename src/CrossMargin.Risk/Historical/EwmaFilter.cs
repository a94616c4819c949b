namespace CrossMargin.Risk.Historical;

/// <summary>
/// EWMA volatility and filtered historical simulation (Hull and White, 1998). The variance estimate for day t, made
/// at the end of day t - 1, is sigma2[t] = lambda sigma2[t - 1] + (1 - lambda) r[t - 1]^2, seeded with the mean square
/// of the first min(30, n) returns; the estimate after the last return is the current one. Filtering rescales every
/// return to today's volatility: r[t] x sigma_now / sigma[t].
/// </summary>
public static class EwmaFilter
{
    /// <summary>Returns used to seed the variance.</summary>
    public const int SeedCount = 30;

    /// <summary>Per return, the variance estimate made before it; and the current estimate after the last return.</summary>
    public static (double[] Variances, double Current) Variances(ReadOnlySpan<double> returns, double lambda)
    {
        var seedCount = Math.Min(SeedCount, returns.Length);
        var variance = 0.0;
        for (var i = 0; i < seedCount; i++)
        {
            variance += returns[i] * returns[i];
        }

        variance /= Math.Max(seedCount, 1);
        var variances = new double[returns.Length];
        for (var t = 0; t < returns.Length; t++)
        {
            variances[t] = variance;
            variance = (lambda * variance) + ((1 - lambda) * returns[t] * returns[t]);
        }

        return (variances, variance);
    }

    /// <summary>The returns rescaled to the current volatility.</summary>
    public static double[] Filter(ReadOnlySpan<double> returns, double lambda)
    {
        var (variances, current) = Variances(returns, lambda);
        var filtered = new double[returns.Length];
        for (var t = 0; t < returns.Length; t++)
        {
            filtered[t] = variances[t] > 0 ? returns[t] * Math.Sqrt(current / variances[t]) : returns[t];
        }

        return filtered;
    }
}
