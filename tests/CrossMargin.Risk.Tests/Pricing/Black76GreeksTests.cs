using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Risk.Tests.Pricing;

/// <summary>
/// Every analytic Greek against a central finite difference of <see cref="Black76.Price"/>.
/// A central difference with step h has truncation error O(h²) and rounding error about
/// ε·V/h (ε·V/h² for gamma). Steps in the forward are scaled by its standard deviation F·σ√T,
/// the distance over which the price curves, so short-dated options are not under-resolved.
/// </summary>
public class Black76GreeksTests
{
    public static TheoryData<OptionKind, double, double, double, double> Cases()
    {
        var data = new TheoryData<OptionKind, double, double, double, double>();
        foreach (var kind in new[] { OptionKind.Call, OptionKind.Put })
        {
            foreach (var forward in new[] { 60.0, 95.0, 100.0, 140.0 })
            {
                foreach (var years in new[] { 0.05, 1.0, 3.0 })
                {
                    foreach (var vol in new[] { 0.2, 0.9 })
                    {
                        data.Add(kind, forward, years, vol, forward < 90 ? -0.02 : 0.05);
                    }
                }
            }
        }

        return data;
    }

    private const double Strike = 100.0;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Delta_matches_central_difference_in_forward(OptionKind kind, double forward, double years, double vol, double rate)
    {
        var h = 1e-4 * forward * vol * Math.Sqrt(years);
        var fd = (Black76.Price(kind, forward + h, Strike, years, vol, rate) - Black76.Price(kind, forward - h, Strike, years, vol, rate)) / (2 * h);

        Assert.Equal(fd, Black76.Greeks(kind, forward, Strike, years, vol, rate).Delta, 1e-7);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gamma_matches_second_central_difference_in_forward(OptionKind kind, double forward, double years, double vol, double rate)
    {
        var h = 1e-3 * forward * vol * Math.Sqrt(years);
        var fd = (Black76.Price(kind, forward + h, Strike, years, vol, rate)
                  - (2 * Black76.Price(kind, forward, Strike, years, vol, rate))
                  + Black76.Price(kind, forward - h, Strike, years, vol, rate)) / (h * h);

        Assert.Equal(fd, Black76.Greeks(kind, forward, Strike, years, vol, rate).Gamma, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Vega_per_unit_of_volatility_matches_central_difference(OptionKind kind, double forward, double years, double vol, double rate)
    {
        const double H = 1e-5;
        var fd = (Black76.Price(kind, forward, Strike, years, vol + H, rate) - Black76.Price(kind, forward, Strike, years, vol - H, rate)) / (2 * H);

        Assert.Equal(fd, Black76.Greeks(kind, forward, Strike, years, vol, rate).Vega, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Theta_is_minus_the_central_difference_in_years(OptionKind kind, double forward, double years, double vol, double rate)
    {
        // Theta is the change as calendar time passes: time to expiry shrinks, so θ = −∂V/∂T.
        const double H = 1e-6;
        var fd = -(Black76.Price(kind, forward, Strike, years + H, vol, rate) - Black76.Price(kind, forward, Strike, years - H, vol, rate)) / (2 * H);

        Assert.Equal(fd, Black76.Greeks(kind, forward, Strike, years, vol, rate).Theta, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rho_matches_central_difference_in_rate_with_forward_fixed(OptionKind kind, double forward, double years, double vol, double rate)
    {
        const double H = 1e-6;
        var fd = (Black76.Price(kind, forward, Strike, years, vol, rate + H) - Black76.Price(kind, forward, Strike, years, vol, rate - H)) / (2 * H);
        var greeks = Black76.Greeks(kind, forward, Strike, years, vol, rate);

        Assert.Equal(fd, greeks.Rho, 1e-6);
        Assert.Equal(-years * greeks.Price, greeks.Rho, 1e-12);
    }

    [Fact]
    public void Greeks_of_a_long_option_have_the_textbook_signs()
    {
        var call = Black76.Greeks(OptionKind.Call, 100, 100, 0.5, 0.6, 0.03);
        var put = Black76.Greeks(OptionKind.Put, 100, 100, 0.5, 0.6, 0.03);

        Assert.InRange(call.Delta, 0, 1);
        Assert.InRange(put.Delta, -1, 0);
        Assert.True(call.Gamma > 0 && call.Vega > 0 && call.Theta < 0 && call.Rho < 0);
        Assert.Equal(call.Gamma, put.Gamma, 1e-15);
        Assert.Equal(call.Vega, put.Vega, 1e-13);
    }
}
