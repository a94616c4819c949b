using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Risk.Tests.Pricing;

public class Black76LimitsTests
{
    [Theory]
    [InlineData(OptionKind.Call, 120.0, 20.0, 1.0)]
    [InlineData(OptionKind.Call, 80.0, 0.0, 0.0)]
    [InlineData(OptionKind.Call, 100.0, 0.0, 0.5)]
    [InlineData(OptionKind.Put, 80.0, 20.0, -1.0)]
    [InlineData(OptionKind.Put, 120.0, 0.0, 0.0)]
    [InlineData(OptionKind.Put, 100.0, 0.0, -0.5)]
    public void Zero_volatility_gives_discounted_intrinsic_value_and_step_delta(OptionKind kind, double forward, double intrinsic, double step)
    {
        const double Years = 0.5;
        const double Rate = 0.04;
        var discount = Math.Exp(-Rate * Years);

        var greeks = Black76.Greeks(kind, forward, 100, Years, 0.0, Rate);

        Assert.Equal(discount * intrinsic, greeks.Price, 1e-12);
        Assert.Equal(discount * intrinsic, Black76.Price(kind, forward, 100, Years, 0.0, Rate), 1e-12);
        Assert.Equal(discount * step, greeks.Delta, 1e-15);
        Assert.Equal(0.0, greeks.Gamma);
        Assert.Equal(0.0, greeks.Vega);
        Assert.Equal(Rate * greeks.Price, greeks.Theta, 1e-12);
        Assert.Equal(-Years * greeks.Price, greeks.Rho, 1e-12);
    }

    [Theory]
    [InlineData(OptionKind.Call, 130.0, 30.0)]
    [InlineData(OptionKind.Call, 70.0, 0.0)]
    [InlineData(OptionKind.Put, 70.0, 30.0)]
    [InlineData(OptionKind.Put, 130.0, 0.0)]
    public void Expiry_gives_intrinsic_value(OptionKind kind, double forward, double intrinsic)
    {
        var greeks = Black76.Greeks(kind, forward, 100, 0.0, 0.8, 0.05);

        Assert.Equal(intrinsic, greeks.Price);
        Assert.Equal(intrinsic, Black76.Price(kind, forward, 100, 0.0, 0.8, 0.05));
        Assert.Equal(0.0, greeks.Gamma);
        Assert.Equal(0.0, greeks.Vega);
        Assert.Equal(0.0, greeks.Rho);
    }

    [Fact]
    public void Tiny_volatility_approaches_the_zero_volatility_limit()
    {
        foreach (var kind in new[] { OptionKind.Call, OptionKind.Put })
        {
            foreach (var forward in new[] { 90.0, 110.0 })
            {
                var limit = Black76.Greeks(kind, forward, 100, 1.0, 0.0, 0.05);
                var near = Black76.Greeks(kind, forward, 100, 1.0, 1e-4, 0.05);
                Assert.Equal(limit.Price, near.Price, 1e-12);
                Assert.Equal(limit.Delta, near.Delta, 1e-12);
            }
        }
    }

    [Fact]
    public void Deep_in_the_money_options_are_worth_discounted_intrinsic_with_full_delta()
    {
        var discount = Math.Exp(-0.05);
        var call = Black76.Greeks(OptionKind.Call, 500, 100, 1.0, 0.2, 0.05);
        var put = Black76.Greeks(OptionKind.Put, 20, 100, 1.0, 0.2, 0.05);

        Assert.Equal(discount * 400, call.Price, 1e-10);
        Assert.Equal(discount, call.Delta, 1e-14);
        Assert.Equal(discount * 80, put.Price, 1e-10);
        Assert.Equal(-discount, put.Delta, 1e-14);
    }

    [Fact]
    public void Deep_out_of_the_money_options_are_worth_almost_nothing_but_never_negative()
    {
        foreach (var forward in new[] { 1.0, 5.0, 20.0 })
        {
            var call = Black76.Greeks(OptionKind.Call, forward, 100, 1.0, 0.2, 0.05);
            var put = Black76.Greeks(OptionKind.Put, 10_000 / forward, 100, 1.0, 0.2, 0.05);
            Assert.InRange(call.Price, 0.0, 1e-12);
            Assert.InRange(put.Price, 0.0, 1e-12);
            Assert.InRange(call.Delta, 0.0, 1e-12);
            Assert.InRange(put.Delta, -1e-12, 0.0);
        }
    }

    [Theory]
    [InlineData(0.0, 100.0, 1.0, 0.5, 0.0, "forward")]
    [InlineData(-1.0, 100.0, 1.0, 0.5, 0.0, "forward")]
    [InlineData(double.NaN, 100.0, 1.0, 0.5, 0.0, "forward")]
    [InlineData(double.PositiveInfinity, 100.0, 1.0, 0.5, 0.0, "forward")]
    [InlineData(100.0, 0.0, 1.0, 0.5, 0.0, "strike")]
    [InlineData(100.0, double.NaN, 1.0, 0.5, 0.0, "strike")]
    [InlineData(100.0, 100.0, -0.1, 0.5, 0.0, "years")]
    [InlineData(100.0, 100.0, double.NaN, 0.5, 0.0, "years")]
    [InlineData(100.0, 100.0, 1.0, -0.5, 0.0, "volatility")]
    [InlineData(100.0, 100.0, 1.0, double.NaN, 0.0, "volatility")]
    [InlineData(100.0, 100.0, 1.0, 0.5, double.NaN, "rate")]
    [InlineData(100.0, 100.0, 1.0, 0.5, double.NegativeInfinity, "rate")]
    public void Invalid_inputs_throw_naming_the_parameter(double forward, double strike, double years, double vol, double rate, string parameter)
    {
        var price = Assert.Throws<ArgumentOutOfRangeException>(() => Black76.Price(OptionKind.Call, forward, strike, years, vol, rate));
        var greeks = Assert.Throws<ArgumentOutOfRangeException>(() => Black76.Greeks(OptionKind.Put, forward, strike, years, vol, rate));

        Assert.Equal(parameter, price.ParamName);
        Assert.Equal(parameter, greeks.ParamName);
    }

    [Fact]
    public void Undefined_option_kind_throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Black76.Greeks((OptionKind)7, 100, 100, 1, 0.5, 0));

        Assert.Equal("kind", error.ParamName);
    }
}
