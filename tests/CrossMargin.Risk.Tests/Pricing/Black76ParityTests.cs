using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Pricing;
using FsCheck;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Pricing;

public class Black76ParityTests
{
    [Fact]
    public void Put_call_parity_holds_over_a_grid()
    {
        // C − P = e^{−rT}(F − K): both legs share one forward, so parity is model-free.
        foreach (var strike in new[] { 20.0, 80.0, 100.0, 125.0, 500.0 })
        {
            foreach (var years in new[] { 1.0 / 365, 0.25, 1.0, 3.0 })
            {
                foreach (var vol in new[] { 0.05, 0.5, 1.5, 3.0 })
                {
                    foreach (var rate in new[] { -0.01, 0.0, 0.05, 0.2 })
                    {
                        AssertParity(100.0, strike, years, vol, rate);
                    }
                }
            }
        }
    }

    [Fact]
    public void Put_call_parity_holds_for_random_options()
    {
        var options =
            from ratio in Generators.LogUniform(0.2, 5.0)
            from years in Generators.LogUniform(1.0 / 365, 3.0)
            from vol in Generators.LogUniform(0.05, 3.0)
            from rate in Generators.Uniform(-0.05, 0.25)
            select (Forward: 30_000.0, Strike: 30_000.0 / ratio, Years: years, Vol: vol, Rate: rate);

        Prop.ForAll(options.ToArbitrary(), o =>
        {
            AssertParity(o.Forward, o.Strike, o.Years, o.Vol, o.Rate);
        }).QuickCheckThrowOnFailure();
    }

    private static void AssertParity(double forward, double strike, double years, double vol, double rate)
    {
        var call = Black76.Price(OptionKind.Call, forward, strike, years, vol, rate);
        var put = Black76.Price(OptionKind.Put, forward, strike, years, vol, rate);
        var expected = Math.Exp(-rate * years) * (forward - strike);

        // Each price carries a few ulps of max(F, K); the tolerance allows 16 of them.
        var tolerance = 16 * Math.Max(forward, strike) * 2.2e-16;
        Assert.True(
            Math.Abs(call - put - expected) <= tolerance,
            $"C − P = {call - put:R}, e^(−rT)(F − K) = {expected:R} for F={forward}, K={strike}, T={years}, σ={vol}, r={rate}");
    }
}
