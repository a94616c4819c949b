using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Pricing;
using CrossMargin.Risk.Simm;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Simm;

/// <summary>
/// ISDA publishes the SIMM methodology (risk weights, correlations, the aggregation formulas) but no worked example for
/// crypto, and its calibrated unit tests are not a small public example: the expected values below are therefore the
/// published SIMM formulas (v2.x, equity-style risk class: WS = RW x s x CR, K_b = sqrt(sum WS^2 + sum rho f WS WS),
/// S_b = clamp(sum WS, +-K_b), margin = sqrt(sum K^2 + sum gamma S S); vega via sigma = RW sqrt(365/14)/N^-1(99%);
/// curvature with rho^2, gamma^2 and lambda = (N^-1(99.5%)^2 - 1)(1 + theta) - theta) applied by hand to a small example
/// with our own parameters, written out term by term.
/// </summary>
public class SimmCalculatorTests
{
    private const double Q995 = 2.5758293035489004;

    private static SimmParameters Parameters(double majorsThreshold = 1e12) => new SimmParameters(
        [new SimmBucket("majors", 50, 0.5, 0.5, majorsThreshold, 1e12), new SimmBucket("alts", 80, 0.6, 0.4, 1e12, 1e12)],
        new Dictionary<string, string> { ["BTC"] = "majors", ["ETH"] = "majors" },
        new Dictionary<string, double> { ["majors|alts"] = 0.3 },
        DefaultInterBucketCorrelation: 0.1,
        DefaultBucket: "alts",
        MaintenanceFactor: 0.8).Validate();

    [Fact]
    public void Delta_margin_of_a_hand_example_follows_the_SIMM_aggregation()
    {
        SimmSensitivity[] s = [new("BTC", 10_000, 0, 0), new("ETH", -6_000, 0, 0), new("SOL", 3_000, 0, 0)];

        var (delta, _, _) = SimmCalculator.Compute(s, Parameters());

        // WS: BTC 50 x 10,000 = 500,000; ETH 50 x -6,000 = -300,000; SOL 80 x 3,000 = 240,000.
        // K_majors^2 = 500,000^2 + 300,000^2 + 2 x 0.5 x 500,000 x (-300,000) = 1.9e11; S_majors = 200,000.
        // K_alts = S_alts = 240,000. Delta^2 = 1.9e11 + 5.76e10 + 2 x 0.3 x 200,000 x 240,000 = 2.764e11.
        Assert.Equal(Math.Sqrt(1.9e11), delta.Buckets.Single(b => b.Bucket == "majors").K, 1e-6);
        Assert.Equal(200_000, delta.Buckets.Single(b => b.Bucket == "majors").S, 1e-6);
        Assert.Equal(Math.Sqrt(2.764e11), (double)delta.MarginUsd, 1e-5);
        Assert.Equal(525_737.577, (double)delta.MarginUsd, 1e-3);
    }

    [Fact]
    public void Concentration_scales_a_large_delta_and_damps_its_correlation()
    {
        SimmSensitivity[] s = [new("BTC", 10_000, 0, 0), new("ETH", -6_000, 0, 0)];

        var (delta, _, _) = SimmCalculator.Compute(s, Parameters(majorsThreshold: 2_500));

        // CR_BTC = sqrt(10,000 / 2,500) = 2, CR_ETH = sqrt(6,000 / 2,500) = sqrt(2.4); f = sqrt(2.4) / 2.
        var crEth = Math.Sqrt(2.4);
        var wsBtc = 50 * 10_000 * 2.0;
        var wsEth = 50 * -6_000 * crEth;
        var f = crEth / 2;
        var expected = Math.Sqrt((wsBtc * wsBtc) + (wsEth * wsEth) + (2 * 0.5 * f * wsBtc * wsEth));
        var btc = delta.Buckets.Single().Factors.Single(x => x.Underlying == "BTC");
        Assert.Equal(2.0, btc.Concentration, 12);
        Assert.Equal(1_000_000, btc.Weighted, 6);
        Assert.Equal(expected, (double)delta.MarginUsd, 1e-5);
    }

    [Fact]
    public void Vega_and_curvature_of_a_hand_example_follow_the_SIMM_formulas()
    {
        // BTC short vega 400 per point (SF-weighted 200), ETH long vega 100 per point (SF-weighted 30), one bucket.
        SimmSensitivity[] s = [new("BTC", 0, -400, -200), new("ETH", 0, 100, 30)];

        var (_, vega, curvature) = SimmCalculator.Compute(s, Parameters());

        var sigma = 50 * Math.Sqrt(365.0 / 14.0) / 2.3263478740408408;
        // VR: 0.5 x sigma x (-400) = -200 sigma and 0.5 x sigma x 100 = 50 sigma;
        // K^2 = sigma^2 (200^2 + 50^2 - 2 x 0.5 x 200 x 50) = 32,500 sigma^2.
        Assert.Equal(sigma * Math.Sqrt(32_500), (double)vega.MarginUsd, 1e-5);

        // CVR in SIMM's sign (positive for long options): BTC -200 sigma, ETH 30 sigma; rho^2 = 0.25;
        // K^2 = sigma^2 (200^2 + 30^2 - 2 x 0.25 x 200 x 30) = 37,900 sigma^2; theta = -170 / 230;
        // lambda = (N^-1(99.5%)^2 - 1)(1 + theta) - theta; curvature = -170 sigma + lambda sqrt(37,900) sigma.
        var theta = -170.0 / 230.0;
        var lambda = (((Q995 * Q995) - 1) * (1 + theta)) - theta;
        Assert.Equal(theta, curvature.Theta, 12);
        Assert.Equal(lambda, curvature.Lambda, 12);
        Assert.Equal((-170 * sigma) + (lambda * Math.Sqrt(37_900) * sigma), (double)curvature.MarginUsd, 1e-5);
    }

    [Fact]
    public void Short_options_alone_attract_no_curvature_margin()
    {
        // Two short-vega names: every CVR negative, theta = -1, lambda = 1, and sum CVR + K <= 0 because K <= sum |CVR|.
        SimmSensitivity[] s = [new("BTC", 0, -400, -200), new("ETH", 0, -250, -120)];

        var (_, vega, curvature) = SimmCalculator.Compute(s, Parameters());

        Assert.Equal(-1, curvature.Theta);
        Assert.Equal(1, curvature.Lambda, 12);
        Assert.Equal(0m, curvature.MarginUsd);
        Assert.True(vega.MarginUsd > 0, "short vega is still charged as vega");
    }

    [Fact]
    public void Long_options_alone_pay_the_chi_square_quantile_of_their_curvature()
    {
        SimmSensitivity[] one = [new("BTC", 0, 400, 200)];
        SimmSensitivity[] two = [new("BTC", 0, 400, 200), new("ETH", 0, 100, 30)];

        var (_, _, single) = SimmCalculator.Compute(one, Parameters());
        var (_, _, pair) = SimmCalculator.Compute(two, Parameters());

        // One factor: theta = 0, margin = CVR + (N^-1(99.5%)^2 - 1) CVR, the 99.5% quantile of CVR x chi^2(1).
        var sigma = 50 * Math.Sqrt(365.0 / 14.0) / 2.3263478740408408;
        Assert.Equal(0, single.Theta);
        Assert.Equal(Q995 * Q995 * 200 * sigma, (double)single.MarginUsd, 1e-5);
        // Two factors, rho^2 = 0.25: sum CVR + (N^-1(99.5%)^2 - 1) sqrt(200^2 + 30^2 + 2 x 0.25 x 200 x 30) sigma.
        Assert.Equal((230 * sigma) + (((Q995 * Q995) - 1) * Math.Sqrt(43_900) * sigma), (double)pair.MarginUsd, 1e-5);
    }

    [Fact]
    public void Long_gamma_portfolio_pays_curvature_and_short_gamma_portfolio_does_not()
    {
        var market = TestMarket.Build();
        var calculator = TestParameters.Calculator(new SimmMarginModel(Parameters()));
        var symbol = TestMarket.LinearOption(OptionKind.Call, 60000);
        var o = market.OptionInputsOf(symbol);

        var longGamma = calculator.Assess(new Portfolio("l", [new CollateralBalance("USDT", 100_000)], [new Position(symbol, 2, 0)]), market).Requirement.Simm!;
        var shortGamma = calculator.Assess(new Portfolio("s", [new CollateralBalance("USDT", 100_000)], [new Position(symbol, -2, 0)]), market).Requirement.Simm!;

        // The long call's CVR = sigma x SF(days) x vega (vega by the +1 point bump), one factor: N^-1(99.5%)^2 x CVR.
        var sigma = 50 * Math.Sqrt(365.0 / 14.0) / 2.3263478740408408;
        var vega = longGamma.Sensitivities.Single().VegaUsd;
        Assert.True(vega > 0);
        Assert.Equal(Q995 * Q995 * sigma * SimmCalculator.ScalingFunction(o.Days) * vega, (double)longGamma.Curvature.MarginUsd, 1e-4);
        Assert.Equal(0m, shortGamma.Curvature.MarginUsd);
        Assert.Equal(-1, shortGamma.Curvature.Theta);
    }

    [Fact]
    public void Quantiles_are_those_of_the_standard_normal()
    {
        Assert.Equal(0.99, NormalDistribution.Cdf(SimmBucket.Alpha), 12);
        Assert.Equal(0.995, NormalDistribution.Cdf(SimmCalculator.CurvatureQuantile), 12);
        Assert.Equal(0.5, SimmCalculator.ScalingFunction(7), 12);
        Assert.Equal(0.5 * 14 / 28, SimmCalculator.ScalingFunction(28), 12);
    }

    [Fact]
    public void Delta_of_a_perpetual_is_one_percent_of_its_notional()
    {
        var market = TestMarket.Build();
        var perp = market.GetInstrument(TestMarket.BtcUsdt);

        var s = SimmCalculator.Sensitivities([new Holding(perp, 2, 60_000)], market).Single();

        Assert.Equal(2 * 60_000 * 0.01, s.DeltaUsd, 9);
        Assert.Equal(0, s.VegaUsd);
    }

    [Fact]
    public void Option_vega_sensitivity_is_the_Black76_vega_per_point_within_its_second_order_term()
    {
        var market = TestMarket.Build();
        var symbol = TestMarket.LinearOption(OptionKind.Call, 60000);
        var option = (OptionContract)market.GetInstrument(symbol);
        var o = market.OptionInputsOf(symbol);

        var s = SimmCalculator.Sensitivities([new Holding(option, -3, 0)], market).Single();

        var analytic = -3 * Black76.Greeks(option.Kind, o.Forward, 60000, o.Years, o.Volatility, o.Rate).Vega * 0.01;
        Assert.InRange(s.VegaUsd / analytic, 0.99, 1.01);
        Assert.Equal(s.VegaUsd * SimmCalculator.ScalingFunction(o.Days), s.CurvatureVegaUsd, 9);
    }

    [Fact]
    public void A_hedged_book_has_no_delta_margin_and_maintenance_stays_below_initial()
    {
        var market = TestMarket.Build();
        var model = new SimmMarginModel(Parameters());
        var calculator = TestParameters.Calculator(model);
        var portfolio = new Portfolio("a", [new CollateralBalance("USDT", 100_000)],
            [new Position(TestMarket.BtcUsdt, 1, 60_000), new Position(TestMarket.BtcUsdc, -1, 60_000), new Position(TestMarket.LinearOption(OptionKind.Put, 55000), -2, 0)]);

        var m = calculator.Assess(portfolio, market);

        var simm = m.Requirement.Simm!;
        var btc = simm.Sensitivities.Single();
        var putDelta = SimmCalculator.Sensitivities([new Holding(market.GetInstrument(TestMarket.LinearOption(OptionKind.Put, 55000)), -2, 0)], market).Single().DeltaUsd;
        Assert.Equal(putDelta, btc.DeltaUsd, 6);
        Assert.Equal(simm.Delta.MarginUsd + simm.Vega.MarginUsd + simm.Curvature.MarginUsd, m.Requirement.InitialMarginUsd);
        Assert.Equal(0m, simm.Curvature.MarginUsd);
        Assert.True(m.MaintenanceMarginUsd <= m.InitialMarginUsd);
    }

    [Fact]
    public void Unmapped_underlying_without_a_default_bucket_is_named()
    {
        var p = Parameters() with { DefaultBucket = null };

        var e = Assert.Throws<ArgumentException>(() => SimmCalculator.Compute([new SimmSensitivity("SOL", 1, 0, 0)], p));

        Assert.Contains("SOL", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_intra_bucket_correlation_is_refused_because_a_long_only_book_could_pay_nothing()
    {
        // Three longs of delta 1,000 in one bucket, RW 50: WS = 50,000 each. With rho = -0.9,
        // K^2 = 3 x 50,000^2 + 6 x (-0.9) x 50,000^2 = -6e9 < 0: floored, K = 0, no delta margin for a book long three coins.
        // A uniform correlation is a valid (positive semi-definite) matrix for any number of names only when rho >= 0,
        // and a bucket (the default one above all) can hold any number.
        var bucket = new SimmBucket("coins", 50, 0.5, -0.9, 1e12, 1e12);
        var p = new SimmParameters([bucket], new Dictionary<string, string>(), new Dictionary<string, double>(),
            DefaultInterBucketCorrelation: 0, DefaultBucket: "coins", MaintenanceFactor: 0.8);

        var e = Assert.Throws<ArgumentException>(() => p.Validate());

        Assert.Contains("coins", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.6, false)] // 3 x 3 with -0.6 off the diagonal: eigenvalue 1 + 2 x (-0.6) = -0.2
    [InlineData(-0.4, true)] // eigenvalue 1 + 2 x (-0.4) = 0.2: a valid correlation matrix
    public void Inter_bucket_correlations_must_form_a_positive_semi_definite_matrix(double gamma, bool valid)
    {
        // With the -0.6 matrix, three buckets of equal S = K: sum K^2 + sum gamma S S = 3K^2 - 3.6K^2 < 0, floored to a
        // margin of 0 for a book with risk in every bucket.
        var p = new SimmParameters(
            [new SimmBucket("a", 50, 0.5, 0.5, 1e12, 1e12), new SimmBucket("b", 50, 0.5, 0.5, 1e12, 1e12), new SimmBucket("c", 50, 0.5, 0.5, 1e12, 1e12)],
            new Dictionary<string, string> { ["A"] = "a", ["B"] = "b", ["C"] = "c" },
            new Dictionary<string, double> { ["a|b"] = gamma, ["a|c"] = gamma, ["b|c"] = gamma },
            DefaultInterBucketCorrelation: 0, DefaultBucket: null, MaintenanceFactor: 0.8);

        if (valid)
        {
            Assert.Same(p, p.Validate());
        }
        else
        {
            var e = Assert.Throws<ArgumentException>(() => p.Validate());
            Assert.Contains("positive semi-definite", e.Message, StringComparison.Ordinal);
        }
    }
}
