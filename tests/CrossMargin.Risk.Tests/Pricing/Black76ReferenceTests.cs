using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Risk.Tests.Pricing;

public class Black76ReferenceTests
{
    [Fact]
    public void Put_matches_Haug_black76_example()
    {
        // Haug (2007), The Complete Guide to Option Pricing Formulas, ch. 1, Black-76 example:
        // F = 19, K = 19, T = 0.75, r = 10%, σ = 28% → put 1.7011. A 40-digit evaluation of the
        // same formula gives 1.70105072523627.
        var put = Black76.Price(OptionKind.Put, 19, 19, 0.75, 0.28, 0.10);

        Assert.Equal(1.7011, put, 4);
        Assert.Equal(1.70105072523627, put, 1e-13);
    }

    [Fact]
    public void Call_equals_put_at_the_money_forward()
    {
        var call = Black76.Price(OptionKind.Call, 19, 19, 0.75, 0.28, 0.10);
        var put = Black76.Price(OptionKind.Put, 19, 19, 0.75, 0.28, 0.10);

        Assert.Equal(put, call, 1e-14);
    }

    [Fact]
    public void Black76_on_the_forward_reproduces_Hull_black_scholes_prices()
    {
        // Hull, Options, Futures, and Other Derivatives, Black-Scholes-Merton example:
        // S = 42, K = 40, r = 10%, σ = 20%, T = 0.5 → call 4.76, put 0.81.
        // With F = S·exp(rT), Black-76 is Black-Scholes (40-digit: 4.75942239287153, 0.808599372900094).
        var forward = 42 * Math.Exp(0.10 * 0.5);

        var call = Black76.Price(OptionKind.Call, forward, 40, 0.5, 0.20, 0.10);
        var put = Black76.Price(OptionKind.Put, forward, 40, 0.5, 0.20, 0.10);

        Assert.Equal(4.76, call, 2);
        Assert.Equal(0.81, put, 2);
        Assert.Equal(4.75942239287153, call, 1e-12);
        Assert.Equal(0.808599372900094, put, 1e-12);
    }

    [Fact]
    public void Greeks_converted_to_spot_match_Hull_greeks_example()
    {
        // Hull, Options, Futures, and Other Derivatives, Greek letters chapter:
        // S = 49, K = 50, r = 5%, σ = 20%, T = 20/52 → delta 0.522, gamma 0.066, vega 12.1 (per 1.00 of σ).
        // Black-76 Greeks are on the forward F = S·e^{rT}: ∂F/∂S = e^{rT}, so
        // spot delta = forward delta·e^{rT}, spot gamma = forward gamma·e^{2rT}, and vega is unchanged.
        const double Rate = 0.05;
        const double Years = 20.0 / 52.0;
        var growth = Math.Exp(Rate * Years);

        var greeks = Black76.Greeks(OptionKind.Call, 49 * growth, 50, Years, 0.20, Rate);

        Assert.Equal(0.522, greeks.Delta * growth, 3);
        Assert.Equal(0.066, greeks.Gamma * growth * growth, 3);
        Assert.Equal(12.1, greeks.Vega, 1);
        Assert.Equal(0.121, greeks.Vega / 100, 3);
    }

    [Fact]
    public void Greeks_price_equals_Price()
    {
        foreach (var kind in new[] { OptionKind.Call, OptionKind.Put })
        {
            foreach (var strike in new[] { 50.0, 90.0, 100.0, 110.0, 200.0 })
            {
                var price = Black76.Price(kind, 100, strike, 0.4, 0.65, 0.03);
                var greeks = Black76.Greeks(kind, 100, strike, 0.4, 0.65, 0.03);
                Assert.Equal(price, greeks.Price);
            }
        }
    }
}
