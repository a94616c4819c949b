using CrossMargin.Risk.Instruments;

namespace CrossMargin.Engine.Tests.Fixtures;

/// <summary>
/// Black-76 written out independently of <c>CrossMargin.Risk.Pricing</c>, for tests that must not check the engine's
/// option prices against the engine's own pricer: the normal distribution is integrated numerically (composite Simpson
/// on the density, 20,000 panels per unit, error far below a cent on any premium here), not taken from its code.
/// Checked against Hull's worked example (<see cref="HullExample"/>).
/// </summary>
public static class ReferenceBlack76
{
    /// <summary>
    /// J. C. Hull, Options, Futures, and Other Derivatives, the Black-Scholes-Merton worked example: S = 42, K = 40,
    /// r = 10%, sigma = 20%, T = 0.5 gives a call of 4.76 and a put of 0.81. As Black-76 the forward is S e^(rT).
    /// </summary>
    public static (double Call, double Put) HullExample()
    {
        var forward = 42 * Math.Exp(0.1 * 0.5);
        return (Price(OptionKind.Call, forward, 40, 0.5, 0.2, 0.1), Price(OptionKind.Put, forward, 40, 0.5, 0.2, 0.1));
    }

    /// <summary>e^(-rT) (F N(d1) - K N(d2)) for a call, e^(-rT) (K N(-d2) - F N(-d1)) for a put.</summary>
    public static double Price(OptionKind kind, double forward, double strike, double years, double vol, double rate)
    {
        var s = vol * Math.Sqrt(years);
        var d1 = (Math.Log(forward / strike) / s) + (s / 2);
        var d2 = d1 - s;
        var discount = Math.Exp(-rate * years);
        return kind == OptionKind.Call
            ? discount * ((forward * Cdf(d1)) - (strike * Cdf(d2)))
            : discount * ((strike * Cdf(-d2)) - (forward * Cdf(-d1)));
    }

    /// <summary>
    /// The vol at which <see cref="Price"/> is <paramref name="price"/>, by bisection on [1e-6, 10] (a price is increasing
    /// in the vol), to about 1e-12: no Newton step and nothing from the engine's solver.
    /// </summary>
    public static double ImpliedVol(OptionKind kind, double forward, double strike, double years, double rate, double price)
    {
        var (low, high) = (1e-6, 10.0);
        for (var i = 0; i < 60; i++)
        {
            var mid = (low + high) / 2;
            (low, high) = Price(kind, forward, strike, years, mid, rate) < price ? (mid, high) : (low, mid);
        }

        return (low + high) / 2;
    }

    /// <summary>N(x) = 1/2 + the integral of the standard normal density from 0 to x.</summary>
    public static double Cdf(double x)
    {
        var panels = Math.Max(2, 2 * (int)Math.Ceiling(Math.Abs(x) * 10_000));
        var h = x / panels;
        var sum = Density(0) + Density(x);
        for (var i = 1; i < panels; i++)
        {
            sum += (i % 2 == 1 ? 4 : 2) * Density(i * h);
        }

        return 0.5 + (sum * h / 3);
    }

    private static double Density(double t) => Math.Exp(-t * t / 2) / Math.Sqrt(2 * Math.PI);
}
