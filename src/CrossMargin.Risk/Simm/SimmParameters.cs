namespace CrossMargin.Risk.Simm;

/// <summary>
/// Parameters of the sensitivity-based model in the style of ISDA SIMM: buckets, which underlying falls in which
/// bucket, correlations between buckets, and MM = <paramref name="MaintenanceFactor"/> x IM.
/// </summary>
/// <param name="Buckets">The buckets.</param>
/// <param name="BucketOfUnderlying">Bucket name per underlying.</param>
/// <param name="InterBucketCorrelations">gamma per pair of buckets, keyed "A|B" (either order).</param>
/// <param name="DefaultInterBucketCorrelation">gamma of a pair not listed.</param>
/// <param name="DefaultBucket">The bucket of an underlying not mapped, or null to reject it.</param>
/// <param name="MaintenanceFactor">MM / IM, in (0, 1].</param>
/// <param name="HistoricalVolatilityRatio">
/// HVR: SIMM scales the vega risk (not curvature) of the equity-style classes by the ratio of historical to implied
/// volatility (0.65 for equity in SIMM v2.0); 1 leaves vega unscaled.
/// </param>
public sealed record SimmParameters(
    IReadOnlyList<SimmBucket> Buckets,
    IReadOnlyDictionary<string, string> BucketOfUnderlying,
    IReadOnlyDictionary<string, double> InterBucketCorrelations,
    double DefaultInterBucketCorrelation,
    string? DefaultBucket,
    double MaintenanceFactor,
    double HistoricalVolatilityRatio = 1)
{
    /// <summary>Checks the parameters; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public SimmParameters Validate()
    {
        foreach (var b in Buckets)
        {
            // One correlation for every pair of a bucket's names is a valid (positive semi-definite) matrix for any number
            // of names only when it is not negative; below, a long-only book of enough names aggregates to zero.
            if (!(b.DeltaRiskWeight >= 0) || !(b.VegaRiskWeight >= 0) || !(b.IntraCorrelation is >= 0 and <= 1) || !(b.DeltaThresholdUsd > 0) || !(b.VegaThresholdUsd > 0))
            {
                throw new ArgumentException($"Bucket {b.Name}: risk weights must be >= 0, the correlation in [0, 1] and thresholds > 0.");
            }
        }

        if (Buckets.Select(b => b.Name).Distinct(StringComparer.Ordinal).Count() != Buckets.Count)
        {
            throw new ArgumentException("Bucket names must be distinct.");
        }

        foreach (var name in BucketOfUnderlying.Values.Append(DefaultBucket).OfType<string>())
        {
            _ = BucketNamed(name);
        }

        foreach (var (pair, gamma) in InterBucketCorrelations)
        {
            var parts = pair.Split('|');
            if (parts.Length != 2 || !(gamma is >= -1 and <= 1))
            {
                throw new ArgumentException($"Inter-bucket correlation {pair}: key must be \"A|B\" and the value in [-1, 1].");
            }

            _ = BucketNamed(parts[0]);
            _ = BucketNamed(parts[1]);
        }

        if (!(DefaultInterBucketCorrelation is >= -1 and <= 1) || !(MaintenanceFactor is > 0 and <= 1))
        {
            throw new ArgumentException("The default inter-bucket correlation must be in [-1, 1] and the maintenance factor in (0, 1].");
        }

        if (!(HistoricalVolatilityRatio is > 0 and <= 10))
        {
            throw new ArgumentException("The historical volatility ratio must be in (0, 10].");
        }

        CheckInterBucketMatrix();
        return this;
    }

    /// <summary>The bucket of <paramref name="underlying"/>; throws when it is not mapped and there is no default.</summary>
    public SimmBucket BucketFor(string underlying) =>
        BucketOfUnderlying.TryGetValue(underlying, out var name) ? BucketNamed(name)
        : DefaultBucket is { } d ? BucketNamed(d)
        : throw new ArgumentException($"SIMM: underlying {underlying} has no bucket and there is no default bucket.");

    /// <summary>gamma between buckets <paramref name="a"/> and <paramref name="b"/>.</summary>
    public double Gamma(string a, string b) =>
        InterBucketCorrelations.TryGetValue($"{a}|{b}", out var g) || InterBucketCorrelations.TryGetValue($"{b}|{a}", out g) ? g : DefaultInterBucketCorrelation;

    /// <summary>
    /// The gammas between the regular buckets (residual ones stand outside that aggregation), with 1 on the diagonal, must
    /// be positive semi-definite: then sum K_b^2 + sum gamma S_b S_c >= S' Gamma S >= 0 for |S_b| &lt;= K_b, and otherwise a
    /// book with risk in several buckets can aggregate to less than its largest bucket, down to zero. Checked by a
    /// Cholesky (LDL') factorisation that tolerates the zero pivots of a singular but valid matrix.
    /// </summary>
    private void CheckInterBucketMatrix()
    {
        var regular = Buckets.Where(b => !b.Residual).Select(b => b.Name).ToArray();
        var n = regular.Length;
        var m = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                m[i, j] = i == j ? 1 : Gamma(regular[i], regular[j]);
            }
        }

        const double Tolerance = 1e-12;
        var d = new double[n];
        var l = new double[n, n];
        for (var j = 0; j < n; j++)
        {
            var pivot = m[j, j];
            for (var k = 0; k < j; k++)
            {
                pivot -= l[j, k] * l[j, k] * d[k];
            }

            if (pivot < -Tolerance)
            {
                throw new ArgumentException(
                    $"The inter-bucket correlations of {string.Join(", ", regular)} are not a positive semi-definite matrix (pivot {pivot} at {regular[j]}): " +
                    "a book with risk in several buckets could aggregate below its largest bucket.");
            }

            d[j] = Math.Max(pivot, 0);
            for (var i = j + 1; i < n; i++)
            {
                var sum = m[i, j];
                for (var k = 0; k < j; k++)
                {
                    sum -= l[i, k] * l[j, k] * d[k];
                }

                if (d[j] > Tolerance)
                {
                    l[i, j] = sum / d[j];
                }
                else if (Math.Abs(sum) > 1e-9)
                {
                    // A zero pivot with a non-zero entry below it: no semi-definite matrix has that.
                    throw new ArgumentException(
                        $"The inter-bucket correlations of {string.Join(", ", regular)} are not a positive semi-definite matrix ({regular[i]} against {regular[j]}): " +
                        "a book with risk in several buckets could aggregate below its largest bucket.");
                }
            }
        }
    }

    private SimmBucket BucketNamed(string name) =>
        Buckets.FirstOrDefault(b => b.Name == name) ?? throw new ArgumentException($"SIMM: unknown bucket {name}.");
}
