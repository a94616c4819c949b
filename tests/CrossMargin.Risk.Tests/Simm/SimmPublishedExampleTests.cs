using CrossMargin.Risk.Simm;

namespace CrossMargin.Risk.Tests.Simm;

/// <summary>
/// Published SIMM results, reproduced through the production aggregation (<see cref="SimmCalculator.Compute"/>) with the
/// source's own parameters. Source: the ISDA SIMM v2.0 unit tests as published in AcadiaSoft's open-source reference
/// implementation, https://github.com/AcadiaSoft/simm-lib (MIT licence):
/// inputs in simm-engine/src/test/java/com/acadiasoft/simm/engine/test/AbstractAcadiaUnitTestV2_0.java (EQ1-EQ11, EQV1-EQV10),
/// expected margins in AcadiaDeltaUnitTestV2_0.java (testEQ1 to testEQ12) and AcadiaVegaUnitTestV2_0.java (testEQV1 to
/// testEQV12), published rounded to the whole USD: every equity case but testEQ13 (a product-class multiplier, which our
/// single risk class has no use for); parameters are ISDA SIMM v2.0
/// equity (simm-model/.../equity/EquityRiskWeightV2_0.java, EquityCorrelationV2_0.java, EquityConcentrationRiskV2_0.java):
/// risk weights per bucket, vega risk weight 0.28 (0.64 in bucket 12), historical volatility ratio 0.65, intra- and
/// inter-bucket correlations and delta/vega concentration thresholds. The equity class maps one-to-one onto ours: a
/// qualifier is an underlying, an equity bucket a bucket (the residual bucket one with <see cref="SimmBucket.Residual"/>),
/// vega nets over expiries and curvature sums SF(t) x vega. Tenor labels become days as simm-lib counts them: a year
/// 365 days, a month 365/12, a week 7.
/// </summary>
public class SimmPublishedExampleTests
{
    private static readonly double[] RiskWeights = [25, 32, 29, 27, 18, 21, 25, 22, 27, 29, 16, 16];

    // Row b, column c: gamma between buckets b and c; the diagonal is the intra-bucket rho.
    private static readonly double[][] Correlations =
    [
        [0.14, 0.15, 0.14, 0.16, 0.10, 0.12, 0.10, 0.11, 0.13, 0.09, 0.17, 0.17],
        [0.15, 0.20, 0.16, 0.17, 0.10, 0.11, 0.10, 0.11, 0.14, 0.09, 0.17, 0.17],
        [0.14, 0.16, 0.19, 0.19, 0.14, 0.17, 0.18, 0.17, 0.16, 0.14, 0.25, 0.25],
        [0.16, 0.17, 0.19, 0.21, 0.15, 0.18, 0.18, 0.18, 0.18, 0.14, 0.28, 0.28],
        [0.10, 0.10, 0.14, 0.15, 0.24, 0.28, 0.23, 0.27, 0.13, 0.21, 0.35, 0.35],
        [0.12, 0.11, 0.17, 0.18, 0.28, 0.35, 0.30, 0.34, 0.16, 0.26, 0.45, 0.45],
        [0.10, 0.10, 0.18, 0.18, 0.23, 0.30, 0.34, 0.29, 0.15, 0.24, 0.41, 0.41],
        [0.11, 0.11, 0.17, 0.18, 0.27, 0.34, 0.29, 0.34, 0.16, 0.26, 0.44, 0.44],
        [0.13, 0.14, 0.16, 0.18, 0.13, 0.16, 0.15, 0.16, 0.20, 0.13, 0.24, 0.24],
        [0.09, 0.09, 0.14, 0.14, 0.21, 0.26, 0.24, 0.26, 0.13, 0.24, 0.33, 0.33],
        [0.17, 0.17, 0.25, 0.28, 0.35, 0.45, 0.41, 0.44, 0.24, 0.33, 0.62, 0.62],
        [0.17, 0.17, 0.25, 0.28, 0.35, 0.45, 0.41, 0.44, 0.24, 0.33, 0.62, 0.62],
    ];

    // ISDA's qualifiers of the unit tests and their buckets.
    private static readonly Dictionary<string, string> Qualifiers = new(StringComparer.Ordinal)
    {
        ["ISIN:11"] = "1", ["ISIN:21"] = "2", ["ISIN:22"] = "2", ["ISIN:41"] = "4", ["ISIN:42"] = "4", ["ISIN:51"] = "5",
        ["ISIN:52"] = "5", ["ISIN:53"] = "5", ["ISIN:71"] = "7", ["ISIN:91"] = "9", ["ISIN:101"] = "10", ["ISIN:102"] = "10",
        ["LEX"] = "11", ["VIX"] = "12", ["ISIN:R1"] = "Residual", ["ISIN:R2"] = "Residual",
    };

    private const double Month = 365.0 / 12;

    private static SimmParameters IsdaV20Equity()
    {
        var buckets = Enumerable.Range(1, 12).Select(b =>
        {
            // Thresholds in USD per 1% (delta) and USD (vega) by bucket group: emerging large, developed large, emerging
            // small, developed small, indexes.
            var (delta, vega) = b switch
            {
                <= 4 => (3.3e6, 800e6),
                <= 8 => (30e6, 7_300e6),
                9 => (0.6e6, 70e6),
                10 => (2.3e6, 300e6),
                _ => (900e6, 21_000e6),
            };
            return new SimmBucket(b.ToString(System.Globalization.CultureInfo.InvariantCulture), RiskWeights[b - 1], b == 12 ? 0.64 : 0.28, Correlations[b - 1][b - 1], delta, vega);
        }).Append(new SimmBucket("Residual", 32, 0.28, 0, 0.6e6, 70e6, Residual: true)).ToArray();
        var gammas = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var b = 1; b <= 12; b++)
        {
            for (var c = b + 1; c <= 12; c++)
            {
                gammas[$"{b}|{c}"] = Correlations[b - 1][c - 1];
            }
        }

        return new SimmParameters(buckets, Qualifiers, gammas, DefaultInterBucketCorrelation: 0, DefaultBucket: null,
            MaintenanceFactor: 1, HistoricalVolatilityRatio: 0.65).Validate();
    }

    private static SimmSensitivity Delta(string qualifier, double amount) => new(qualifier, amount, 0, 0);

    /// <summary>One qualifier's vega per expiry (in days: SIMM's tenor labels, a year of 365 days), netted as SIMM nets them.</summary>
    private static SimmSensitivity Vega(string qualifier, params (double Days, double Amount)[] expiries) =>
        new(qualifier, 0, expiries.Sum(e => e.Amount), expiries.Sum(e => SimmCalculator.CurvatureInput(e.Days, e.Amount)));

    private static decimal TotalMargin(params SimmSensitivity[] sensitivities)
    {
        var (delta, vega, curvature) = SimmCalculator.Compute(sensitivities, IsdaV20Equity());
        return Math.Round(delta.MarginUsd + vega.MarginUsd + curvature.MarginUsd, 0, MidpointRounding.AwayFromZero);
    }

    [Fact]
    public void Delta_of_one_concentrated_name_matches_ISDA_unit_test_EQ4()
    {
        // EQ4: ISIN:52, bucket 5, 33,000,000; CR = sqrt(33 / 30).
        Assert.Equal(622_992_456m, TotalMargin(Delta("ISIN:52", 33_000_000)));
    }

    [Fact]
    public void Delta_across_buckets_with_offsets_matches_ISDA_unit_test_EQ10()
    {
        // EQ1, EQ3, EQ7, EQ9: four buckets, one long-short offset through gamma.
        Assert.Equal(183_305_128m, TotalMargin(
            Delta("ISIN:21", 2_000_000), Delta("ISIN:51", -10_000_000), Delta("ISIN:101", 500_000), Delta("LEX", 6_000_000)));
    }

    [Fact]
    public void Delta_across_buckets_with_concentration_matches_ISDA_unit_test_EQ11()
    {
        // EQ1, EQ2, EQ4, EQ5, EQ6, EQ8: concentration factors enter the intra-bucket f_kl.
        Assert.Equal(702_970_788m, TotalMargin(
            Delta("ISIN:21", 2_000_000), Delta("ISIN:22", 5_000_000), Delta("ISIN:52", 33_000_000), Delta("ISIN:53", 5_000_000),
            Delta("ISIN:91", 1_000_000), Delta("ISIN:102", -1_500_000)));
    }

    [Fact]
    public void A_lone_long_vega_pays_vega_and_the_chi_square_curvature_as_in_ISDA_unit_test_EQV1()
    {
        // EQV1: ISIN:11, bucket 1, vega 20,000,000 at 5y. Curvature > 0 in ISDA's test: CVR = SF(5y) sigma vega > 0,
        // theta = 0, lambda = N^-1(99.5%)^2 - 1, so the curvature margin is N^-1(99.5%)^2 x CVR.
        var s = Vega("ISIN:11", (5 * 365, 20_000_000));
        var (_, _, curvature) = SimmCalculator.Compute([s], IsdaV20Equity());
        var cvr = SimmCalculator.ScalingFunction(5 * 365) * (25 * Math.Sqrt(365.0 / 14.0) / SimmBucket.Alpha) * 20_000_000;

        Assert.Equal(227_661_155m, TotalMargin(s));
        Assert.Equal(SimmCalculator.CurvatureQuantile * SimmCalculator.CurvatureQuantile * cvr, (double)curvature.MarginUsd, 1e-4);
    }

    [Fact]
    public void A_lone_short_vega_pays_vega_only_as_in_ISDA_unit_test_EQV4()
    {
        // EQV7 (ISDA's testEQV4): VIX, bucket 12 (vega risk weight 0.64), vega -15,000,000 at 15y. Curvature < 0 in ISDA's
        // test: theta = -1, lambda = 1, CVR + |CVR| = 0.
        var s = Vega("VIX", (15 * 365, -15_000_000));
        var (_, _, curvature) = SimmCalculator.Compute([s], IsdaV20Equity());

        Assert.Equal(219_135_293m, TotalMargin(s));
        Assert.Equal(0m, curvature.MarginUsd);
        Assert.Equal(-1, curvature.Theta);
    }

    [Fact]
    public void Vega_nets_over_expiries_of_one_name_as_in_ISDA_unit_test_EQV6()
    {
        // EQV1 + EQV2: the same name at 5y (+20,000,000) and 2y (-18,000,000).
        Assert.Equal(19_973_269m, TotalMargin(Vega("ISIN:11", (5 * 365, 20_000_000), (2 * 365, -18_000_000))));
    }

    [Fact]
    public void Two_names_of_a_bucket_with_vega_concentration_match_ISDA_unit_test_EQV8()
    {
        // EQV4 + EQV5: bucket 4, both names above the 800,000,000 vega threshold.
        Assert.Equal(1_109_238_963m, TotalMargin(Vega("ISIN:41", (3 * 365, 50_000_000)), Vega("ISIN:42", (10 * 365, -45_000_000))));
    }

    [Fact]
    public void Vega_and_curvature_across_buckets_match_ISDA_unit_test_EQV10()
    {
        // EQV4, EQV5, EQV6, EQV7: buckets 4, 7 and 12; gamma (vega) and gamma^2 (curvature) between them.
        Assert.Equal(1_176_841_447m, TotalMargin(
            Vega("ISIN:41", (3 * 365, 50_000_000)), Vega("ISIN:42", (10 * 365, -45_000_000)),
            Vega("ISIN:71", (20 * 365, -27_000_000)), Vega("VIX", (15 * 365, -15_000_000))));
    }

    [Fact]
    public void Residual_delta_stands_outside_the_buckets_as_in_ISDA_unit_tests_EQ5_and_EQ9()
    {
        // EQ11 alone: 32 x 560,000. EQ10 + EQ11: two residual names, rho = 0, EQ10 above the 600,000 threshold.
        Assert.Equal(17_920_000m, TotalMargin(Delta("ISIN:R2", 560_000)));
        Assert.Equal(32_266_490m, TotalMargin(Delta("ISIN:R1", -750_000), Delta("ISIN:R2", 560_000)));
    }

    [Fact]
    public void Every_equity_delta_together_matches_ISDA_unit_test_EQ12()
    {
        Assert.Equal(752_834_838m, TotalMargin(
            Delta("ISIN:21", 2_000_000), Delta("ISIN:22", 5_000_000), Delta("ISIN:51", -10_000_000), Delta("ISIN:52", 33_000_000),
            Delta("ISIN:53", 5_000_000), Delta("ISIN:91", 1_000_000), Delta("ISIN:101", 500_000), Delta("ISIN:102", -1_500_000),
            Delta("LEX", 6_000_000), Delta("ISIN:R1", -750_000), Delta("ISIN:R2", 560_000)));
    }

    [Fact]
    public void Residual_vega_and_curvature_match_ISDA_unit_tests_EQV5_and_EQV9()
    {
        // EQV10 alone (3m, above the 70,000,000 vega threshold); then with EQV8 and EQV9 (one name at 6m and 1m).
        Assert.Equal(4_585_900_234m, TotalMargin(Vega("ISIN:R2", (3 * Month, 44_000_000))));
        Assert.Equal(4_930_984_984m, TotalMargin(
            Vega("ISIN:R1", (6 * Month, 30_000_000), (1 * Month, -32_000_000)), Vega("ISIN:R2", (3 * Month, 44_000_000))));
    }

    [Fact]
    public void Vega_and_curvature_of_buckets_and_residual_together_match_ISDA_unit_tests_EQV11_and_EQV12()
    {
        SimmSensitivity[] withoutBucketOne =
        [
            Vega("ISIN:41", (3 * 365, 50_000_000)), Vega("ISIN:42", (10 * 365, -45_000_000)), Vega("ISIN:71", (20 * 365, -27_000_000)),
            Vega("VIX", (15 * 365, -15_000_000)), Vega("ISIN:R1", (6 * Month, 30_000_000), (1 * Month, -32_000_000)),
            Vega("ISIN:R2", (3 * Month, 44_000_000)),
        ];
        var bucketOne = Vega("ISIN:11", (5 * 365, 20_000_000), (2 * 365, -18_000_000), (14, 60_000_000));

        Assert.Equal(6_107_826_430m, TotalMargin(withoutBucketOne));
        Assert.Equal(17_275_352_551m, TotalMargin([bucketOne, .. withoutBucketOne]));
    }

    [Theory]
    [InlineData("EQ1", 64_000_000, new[] { "ISIN:21" }, new[] { 2_000_000.0 })]
    [InlineData("EQ2", 196_946_386, new[] { "ISIN:22" }, new[] { 5_000_000.0 })]
    [InlineData("EQ3", 180_000_000, new[] { "ISIN:51" }, new[] { -10_000_000.0 })]
    [InlineData("EQ6", 216_748_423, new[] { "ISIN:21", "ISIN:22" }, new[] { 2_000_000.0, 5_000_000.0 })]
    [InlineData("EQ7", 180_897_761, new[] { "ISIN:51", "ISIN:53" }, new[] { -10_000_000.0, 5_000_000.0 })]
    [InlineData("EQ8", 628_635_666, new[] { "ISIN:51", "ISIN:52", "ISIN:53" }, new[] { -10_000_000.0, 33_000_000.0, 5_000_000.0 })]
    public void Delta_within_one_bucket_matches_the_ISDA_unit_test(string test, long expected, string[] names, double[] amounts)
    {
        Assert.True(names.Length == amounts.Length, test);

        Assert.Equal(expected, TotalMargin(names.Select((n, i) => Delta(n, amounts[i])).ToArray()));
    }

    [Fact]
    public void Single_names_and_one_name_at_three_expiries_match_ISDA_unit_tests_EQV2_EQV3_and_EQV7()
    {
        Assert.Equal(962_427_404m, TotalMargin(Vega("ISIN:41", (3 * 365, 50_000_000))));
        Assert.Equal(269_639_130m, TotalMargin(Vega("ISIN:71", (20 * 365, -27_000_000))));
        Assert.Equal(11_916_533_908m, TotalMargin(Vega("ISIN:11", (5 * 365, 20_000_000), (2 * 365, -18_000_000), (14, 60_000_000))));
    }
}
