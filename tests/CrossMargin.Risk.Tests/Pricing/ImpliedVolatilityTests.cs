using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Pricing;
using FsCheck;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Pricing;

public class ImpliedVolatilityTests
{
    private const double Forward = 40_000.0;

    [Fact]
    public void Solve_recovers_the_volatility_of_Haug_black76_example()
    {
        var result = ImpliedVolatility.Solve(OptionKind.Put, 19, 19, 0.75, 0.10, 1.70105072523627);

        Assert.True(result.Converged, result.Failure);
        Assert.Null(result.Failure);
        Assert.Equal(0.28, result.Volatility, 1e-12);
        Assert.InRange(result.Iterations, 1, 10);
    }

    [Fact]
    public void Solve_round_trips_random_options_whose_vega_is_not_negligible()
    {
        var options =
            from kind in Gen.Elements(OptionKind.Call, OptionKind.Put)
            from ratio in Generators.LogUniform(0.2, 5.0)
            from years in Generators.LogUniform(1.0 / 365, 3.0)
            from vol in Generators.LogUniform(0.05, 3.0)
            from rate in Generators.Uniform(-0.02, 0.2)
            select (Kind: kind, Strike: Forward / ratio, Years: years, Vol: vol, Rate: rate);

        var config = Config.QuickThrowOnFailure.WithMaxTest(2_000);
        Check.One(config, Prop.ForAll(options.ToArbitrary(), o =>
        {
            var greeks = Black76.Greeks(o.Kind, Forward, o.Strike, o.Years, o.Vol, o.Rate);

            // A price is only known to a few ulps of its size (and of the intrinsic value it
            // carries); dividing by vega turns that into the volatility error one can ask for.
            // Below a vega of 1e-9 per unit of forward the price does not pin σ down at all.
            var priceNoise = 8 * 2.2e-16 * (greeks.Price + Forward + o.Strike);
            if (greeks.Vega < 1e-9 * Forward)
            {
                return;
            }

            var result = ImpliedVolatility.Solve(o.Kind, Forward, o.Strike, o.Years, o.Rate, greeks.Price);

            Assert.True(result.Converged, $"{o}: {result.Failure}");
            Assert.True(
                Math.Abs(result.Volatility - o.Vol) <= 1e-9 + (priceNoise / greeks.Vega),
                $"{o}: solved {result.Volatility:R} in {result.Iterations} iterations");
        }));
    }

    [Theory]
    [InlineData(OptionKind.Call, 8_000.0)]
    [InlineData(OptionKind.Put, 200_000.0)]
    [InlineData(OptionKind.Call, 200_000.0)]
    [InlineData(OptionKind.Put, 8_000.0)]
    public void Solve_converges_deep_in_and_out_of_the_money(OptionKind kind, double strike)
    {
        const double Vol = 0.8;
        var price = Black76.Price(kind, Forward, strike, 1.0, Vol, 0.05);

        var result = ImpliedVolatility.Solve(kind, Forward, strike, 1.0, 0.05, price);

        Assert.True(result.Converged, result.Failure);
        Assert.Equal(Vol, result.Volatility, 1e-8);
        Assert.InRange(result.Iterations, 1, 100);
    }

    [Theory]
    [InlineData(OptionKind.Call, 30_000.0, 9_000.0)]
    [InlineData(OptionKind.Put, 50_000.0, 9_000.0)]
    [InlineData(OptionKind.Call, 50_000.0, -1.0)]
    public void Price_below_discounted_intrinsic_fails_with_a_reason(OptionKind kind, double strike, double price)
    {
        var result = ImpliedVolatility.Solve(kind, Forward, strike, 0.5, 0.05, price);

        Assert.False(result.Converged);
        Assert.True(double.IsNaN(result.Volatility));
        Assert.Contains("below the discounted intrinsic value", result.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OptionKind.Call, 40_000.0)]
    [InlineData(OptionKind.Call, 45_000.0)]
    [InlineData(OptionKind.Put, 60_000.0)]
    public void Price_at_or_above_the_upper_bound_fails_with_a_reason(OptionKind kind, double price)
    {
        var result = ImpliedVolatility.Solve(kind, Forward, 50_000, 0.5, 0.0, price);

        Assert.False(result.Converged);
        Assert.True(double.IsNaN(result.Volatility));
        Assert.Contains("upper bound", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Price_with_no_time_value_fails_with_a_reason()
    {
        var intrinsic = Math.Exp(-0.05) * 10_000;

        var result = ImpliedVolatility.Solve(OptionKind.Call, Forward, 30_000, 1.0, 0.05, intrinsic);

        Assert.False(result.Converged);
        Assert.Contains("no time value", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Expiring_option_fails_with_a_reason()
    {
        var result = ImpliedVolatility.Solve(OptionKind.Put, Forward, 50_000, 0.0, 0.05, 12_000);

        Assert.False(result.Converged);
        Assert.Contains("years is 0", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Running_out_of_iterations_is_reported_not_thrown()
    {
        var price = Black76.Price(OptionKind.Call, Forward, 52_000, 0.3, 0.65, 0.0);

        var result = ImpliedVolatility.Solve(OptionKind.Call, Forward, 52_000, 0.3, 0.0, price, tolerance: 1e-300, maxIterations: 3);

        Assert.False(result.Converged);
        Assert.True(double.IsNaN(result.Volatility));
        Assert.Equal(3, result.Iterations);
        Assert.Contains("did not converge", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_arguments_throw_naming_the_parameter()
    {
        Assert.Equal("forward", Assert.Throws<ArgumentOutOfRangeException>(() => ImpliedVolatility.Solve(OptionKind.Call, -1, 100, 1, 0, 5)).ParamName);
        Assert.Equal("price", Assert.Throws<ArgumentOutOfRangeException>(() => ImpliedVolatility.Solve(OptionKind.Call, 100, 100, 1, 0, double.NaN)).ParamName);
        Assert.Equal("tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => ImpliedVolatility.Solve(OptionKind.Call, 100, 100, 1, 0, 5, tolerance: 0)).ParamName);
        Assert.Equal("maxIterations", Assert.Throws<ArgumentOutOfRangeException>(() => ImpliedVolatility.Solve(OptionKind.Call, 100, 100, 1, 0, 5, maxIterations: 0)).ParamName);
    }
}
