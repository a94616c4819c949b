using CrossMargin.Risk.Instruments;

namespace CrossMargin.Risk.Pricing;

/// <summary>
/// Black's (1976) model for European options on a forward or future, discounted at a continuously
/// compounded rate: the pricing model for options on perpetuals and dated futures.
/// </summary>
/// <remarks>
/// <para>
/// Formulas (F. Black, "The pricing of commodity contracts", Journal of Financial Economics 3
/// (1976), 167–179; E. G. Haug, The Complete Guide to Option Pricing Formulas, 2nd ed., 2007,
/// ch. 1, "Black-76" and its Greeks), with s = σ√T, D = exp(−rT), d1 = ln(F/K)/s + s/2, d2 = d1 − s:
/// </para>
/// <list type="bullet">
/// <item>call = D·(F·N(d1) − K·N(d2)); put = D·(K·N(−d2) − F·N(−d1))</item>
/// <item>delta (on F) = D·N(d1) for a call, −D·N(−d1) for a put</item>
/// <item>gamma (on F) = D·φ(d1)/(F·s); vega = D·F·φ(d1)·√T (both kinds)</item>
/// <item>theta = −∂V/∂T = r·V − D·F·φ(d1)·σ/(2√T) (both kinds)</item>
/// <item>rho (F fixed) = −T·V</item>
/// </list>
/// <para>
/// Limits, taken exactly rather than through the formulas: when <c>years</c> is 0 or
/// <c>volatility</c> is 0 (or σ√T underflows to 0) there is no time value, and the option is worth
/// its discounted intrinsic value D·max(±(F − K), 0). Delta is then the discounted step D·1{F &gt; K}
/// for a call and −D·1{F &lt; K} for a put, with ±D/2 exactly at the money (the limit of N(d1) as
/// s → 0); gamma and vega are 0 (at the money gamma diverges in the limit, so 0 is a convention);
/// theta is r·V, the carry of the discount alone; rho is −T·V.
/// </para>
/// </remarks>
public static class Black76
{
    /// <summary>The present value of a European option on a forward under Black-76.</summary>
    /// <param name="kind">Call or put.</param>
    /// <param name="forward">The forward price of the underlying for the option's expiry; &gt; 0 and finite.</param>
    /// <param name="strike">The strike; &gt; 0 and finite.</param>
    /// <param name="years">Time to expiry in years; ≥ 0 and finite (0 means expiring now).</param>
    /// <param name="volatility">Annualised volatility as a fraction (0.8 = 80%); ≥ 0 and finite.</param>
    /// <param name="rate">Continuously compounded discount rate as a fraction; finite, may be negative.</param>
    /// <returns>The discounted option value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is NaN, infinite or outside its range.</exception>
    public static double Price(OptionKind kind, double forward, double strike, double years, double volatility, double rate)
    {
        Validate(kind, forward, strike, years, volatility, rate);
        var discount = Math.Exp(-rate * years);
        var stdDev = volatility * Math.Sqrt(years);
        if (!(stdDev > 0.0))
        {
            return discount * Intrinsic(kind, forward, strike);
        }

        var d1 = (LogMoneyness(forward, strike) / stdDev) + (0.5 * stdDev);
        var d2 = d1 - stdDev;
        return discount * Undiscounted(kind, forward, strike, d1, d2);
    }

    /// <summary>
    /// The present value and Greeks of a European option on a forward under Black-76, in one pass
    /// that shares the logarithm, square root, exponentials and normal evaluations. Allocates nothing.
    /// </summary>
    /// <param name="kind">Call or put.</param>
    /// <param name="forward">The forward price of the underlying for the option's expiry; &gt; 0 and finite.</param>
    /// <param name="strike">The strike; &gt; 0 and finite.</param>
    /// <param name="years">Time to expiry in years; ≥ 0 and finite (0 means expiring now).</param>
    /// <param name="volatility">Annualised volatility as a fraction (0.8 = 80%); ≥ 0 and finite.</param>
    /// <param name="rate">Continuously compounded discount rate as a fraction; finite, may be negative.</param>
    /// <returns>Price and Greeks in the units documented on <see cref="OptionGreeks"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is NaN, infinite or outside its range.</exception>
    public static OptionGreeks Greeks(OptionKind kind, double forward, double strike, double years, double volatility, double rate)
    {
        Validate(kind, forward, strike, years, volatility, rate);
        var discount = Math.Exp(-rate * years);
        var sqrtYears = Math.Sqrt(years);
        var stdDev = volatility * sqrtYears;
        if (!(stdDev > 0.0))
        {
            return Expired(kind, forward, strike, years, rate, discount);
        }

        var d1 = (LogMoneyness(forward, strike) / stdDev) + (0.5 * stdDev);
        var d2 = d1 - stdDev;
        var density = NormalDistribution.Pdf(d1);

        double price;
        double delta;
        if (kind == OptionKind.Call)
        {
            var nd1 = NormalDistribution.Cdf(d1);
            price = discount * Math.Max((forward * nd1) - (strike * NormalDistribution.Cdf(d2)), 0.0);
            delta = discount * nd1;
        }
        else
        {
            var nMinusD1 = NormalDistribution.Cdf(-d1);
            price = discount * Math.Max((strike * NormalDistribution.Cdf(-d2)) - (forward * nMinusD1), 0.0);
            delta = -discount * nMinusD1;
        }

        // D·F·φ(d1) is common to gamma, vega and the diffusion part of theta.
        var scaledDensity = discount * forward * density;
        var gamma = discount * density / (forward * stdDev);
        var vega = scaledDensity * sqrtYears;
        var theta = (rate * price) - (scaledDensity * volatility / (2.0 * sqrtYears));
        var rho = -years * price;
        return new OptionGreeks(price, delta, gamma, vega, theta, rho);
    }

    /// <summary>
    /// F·N(d1) − K·N(d2) for a call, K·N(−d2) − F·N(−d1) for a put. Far out of the money the two
    /// terms nearly cancel and rounding can leave a tiny negative; the floor keeps V ≥ 0.
    /// </summary>
    internal static double Undiscounted(OptionKind kind, double forward, double strike, double d1, double d2) =>
        kind == OptionKind.Call
            ? Math.Max((forward * NormalDistribution.Cdf(d1)) - (strike * NormalDistribution.Cdf(d2)), 0.0)
            : Math.Max((strike * NormalDistribution.Cdf(-d2)) - (forward * NormalDistribution.Cdf(-d1)), 0.0);

    private static OptionGreeks Expired(OptionKind kind, double forward, double strike, double years, double rate, double discount)
    {
        var price = discount * Intrinsic(kind, forward, strike);
        double step = forward > strike ? 1.0 : forward < strike ? 0.0 : 0.5;
        var delta = kind == OptionKind.Call ? discount * step : -discount * (1.0 - step);
        return new OptionGreeks(price, delta, Gamma: 0.0, Vega: 0.0, Theta: rate * price, Rho: -years * price);
    }

    private static double Intrinsic(OptionKind kind, double forward, double strike) =>
        kind == OptionKind.Call ? Math.Max(forward - strike, 0.0) : Math.Max(strike - forward, 0.0);

    /// <summary>ln(F/K); the ratio keeps full precision near the money, the difference guards overflow.</summary>
    internal static double LogMoneyness(double forward, double strike)
    {
        var ratio = forward / strike;
        return double.IsFinite(ratio) && ratio > 0.0 ? Math.Log(ratio) : Math.Log(forward) - Math.Log(strike);
    }

    internal static void Validate(OptionKind kind, double forward, double strike, double years, double volatility, double rate)
    {
        if (kind is not (OptionKind.Call or OptionKind.Put))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Option kind must be Call or Put.");
        }

        // Written as !(x > 0) so that NaN fails too.
        if (!(forward > 0.0) || double.IsPositiveInfinity(forward))
        {
            throw new ArgumentOutOfRangeException(nameof(forward), forward, "Forward must be a positive finite number.");
        }

        if (!(strike > 0.0) || double.IsPositiveInfinity(strike))
        {
            throw new ArgumentOutOfRangeException(nameof(strike), strike, "Strike must be a positive finite number.");
        }

        if (!(years >= 0.0) || double.IsPositiveInfinity(years))
        {
            throw new ArgumentOutOfRangeException(nameof(years), years, "Years to expiry must be a non-negative finite number.");
        }

        if (!(volatility >= 0.0) || double.IsPositiveInfinity(volatility))
        {
            throw new ArgumentOutOfRangeException(nameof(volatility), volatility, "Volatility must be a non-negative finite number.");
        }

        if (!double.IsFinite(rate))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "Rate must be a finite number.");
        }
    }
}
