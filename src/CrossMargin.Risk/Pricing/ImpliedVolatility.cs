using System.Globalization;
using CrossMargin.Risk.Instruments;

namespace CrossMargin.Risk.Pricing;

/// <summary>Implied volatility: the σ at which <see cref="Black76"/> reproduces an observed price.</summary>
/// <remarks>
/// <para>
/// The price is first undiscounted (divided by exp(−rT)) and checked against the no-arbitrage
/// bounds of Black-76: intrinsic value max(±(F − K), 0) ≤ price &lt; F for a call, &lt; K for a
/// put. An in-the-money option is then turned into the out-of-the-money option of the other kind
/// by put-call parity, C − P = F − K (undiscounted): its time value is the whole price, so precision
/// is not spent carrying the intrinsic value through the root search.
/// </para>
/// <para>
/// The root is found by Newton's method on σ, safeguarded by bisection inside a bracket
/// (Press et al., Numerical Recipes, 3rd ed., 2007, §9.4 "rtsafe"). The bracket starts at
/// [1e-6, 10] and is widened (down to 1e-12, up to 10,000) until it holds the root. Newton starts
/// at σ* = √(2·|ln(F/K)|/T), where vega is largest, from which the iteration is monotone
/// (S. Manaster and G. Koehler, "The calculation of implied variances from the Black-Scholes
/// model", Journal of Finance 37 (1982), 227–230); at the money it starts from the
/// Brenner–Subrahmanyam approximation σ ≈ √(2π/T)·V/F.
/// </para>
/// </remarks>
public static class ImpliedVolatility
{
    private const double InitialLow = 1e-6;
    private const double InitialHigh = 10.0;
    private const double SmallestLow = 1e-12;
    private const double LargestHigh = 1e4;
    private const double Sqrt2Pi = 2.50662827463100050242;

    /// <summary>Finds the Black-76 volatility that reproduces <paramref name="price"/>.</summary>
    /// <param name="kind">Call or put.</param>
    /// <param name="forward">The forward price; &gt; 0 and finite.</param>
    /// <param name="strike">The strike; &gt; 0 and finite.</param>
    /// <param name="years">Time to expiry in years; ≥ 0 and finite (0 always fails: no time value).</param>
    /// <param name="rate">Continuously compounded discount rate; finite.</param>
    /// <param name="price">The observed present value of the option; finite.</param>
    /// <param name="tolerance">Absolute tolerance on the volatility (1e-10 = 1e-8 volatility points); &gt; 0.</param>
    /// <param name="maxIterations">Largest number of Newton or bisection steps; ≥ 1.</param>
    /// <returns>
    /// A converged result, or <see cref="ImpliedVolatilityResult.Converged"/> false with a reason when
    /// the price is below the discounted intrinsic value, at or above the discounted upper bound,
    /// carries no time value, implies a volatility outside [1e-12, 10,000], or the search did not
    /// converge in <paramref name="maxIterations"/> steps.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is NaN, infinite or outside its range.</exception>
    public static ImpliedVolatilityResult Solve(
        OptionKind kind,
        double forward,
        double strike,
        double years,
        double rate,
        double price,
        double tolerance = 1e-10,
        int maxIterations = 100)
    {
        Black76.Validate(kind, forward, strike, years, volatility: 0.0, rate);
        if (!double.IsFinite(price))
        {
            throw new ArgumentOutOfRangeException(nameof(price), price, "Price must be a finite number.");
        }

        if (!(tolerance > 0.0) || double.IsPositiveInfinity(tolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "Tolerance must be a positive finite number.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);

        var discount = Math.Exp(-rate * years);
        var intrinsic = kind == OptionKind.Call ? Math.Max(forward - strike, 0.0) : Math.Max(strike - forward, 0.0);
        var upper = kind == OptionKind.Call ? forward : strike;
        var undiscounted = price / discount;
        if (undiscounted < intrinsic)
        {
            return Fail($"price {price} is below the discounted intrinsic value {discount * intrinsic}: no volatility can produce it");
        }

        if (undiscounted >= upper)
        {
            var bound = kind == OptionKind.Call ? "forward" : "strike";
            return Fail($"price {price} is at or above the no-arbitrage upper bound {discount * upper} (the discounted {bound})");
        }

        if (years == 0.0)
        {
            return Fail($"years is 0: an expiring option is worth its intrinsic value whatever the volatility, so none can be implied");
        }

        var timeValue = undiscounted - intrinsic;
        if (!(timeValue > 0.0))
        {
            return Fail($"price {price} has no time value over the discounted intrinsic value {discount * intrinsic}: the implied volatility is zero or undetermined");
        }

        // Put-call parity: an in-the-money call's time value is the out-of-the-money put's price, and vice versa.
        var otmKind = forward > strike ? OptionKind.Put : OptionKind.Call;
        return Search(new Target(otmKind, forward, strike, years, timeValue), tolerance, maxIterations);
    }

    private static ImpliedVolatilityResult Search(Target target, double tolerance, int maxIterations)
    {
        var low = InitialLow;
        while (target.Residual(low, out _) > 0.0)
        {
            if (low <= SmallestLow)
            {
                return Fail($"price implies a volatility below {SmallestLow}");
            }

            low = Math.Max(low * 1e-2, SmallestLow);
        }

        var high = InitialHigh;
        while (target.Residual(high, out _) < 0.0)
        {
            if (high >= LargestHigh)
            {
                return Fail($"price implies a volatility above {LargestHigh} (too close to the upper bound to resolve)");
            }

            high = Math.Min(high * 4.0, LargestHigh);
        }

        var sigma = target.InitialGuess();
        if (!(sigma > low && sigma < high))
        {
            sigma = 0.5 * (low + high);
        }

        var previousStep = high - low;
        var step = previousStep;
        for (var iteration = 1; iteration <= maxIterations; iteration++)
        {
            var residual = target.Residual(sigma, out var vega);
            if (residual == 0.0)
            {
                return ImpliedVolatilityResult.Success(sigma, iteration);
            }

            if (residual < 0.0)
            {
                low = sigma;
            }
            else
            {
                high = sigma;
            }

            // rtsafe: take the Newton step only if it lands inside the bracket and at least halves
            // the step before last; otherwise bisect, which always shrinks the bracket.
            var newton = sigma - (residual / vega);
            var twoStepsAgo = previousStep;
            previousStep = step;
            if (vega > 0.0 && newton > low && newton < high && Math.Abs(newton - sigma) < 0.5 * Math.Abs(twoStepsAgo))
            {
                step = newton - sigma;
                sigma = newton;
            }
            else
            {
                var mid = 0.5 * (low + high);
                step = mid - sigma;
                sigma = mid;
            }

            if (Math.Abs(step) <= tolerance || high - low <= tolerance)
            {
                return ImpliedVolatilityResult.Success(sigma, iteration);
            }
        }

        return Fail($"did not converge to within {tolerance} in {maxIterations} iterations (bracket [{low}, {high}])", maxIterations);
    }

    private static ImpliedVolatilityResult Fail(FormattableString reason, int iterations = 0) =>
        ImpliedVolatilityResult.Failed(reason.ToString(CultureInfo.InvariantCulture), iterations);

    /// <summary>The undiscounted out-of-the-money price to match, and the model evaluated against it.</summary>
    private readonly record struct Target(OptionKind Kind, double Forward, double Strike, double Years, double Price)
    {
        private double LogMoneyness => Black76.LogMoneyness(Forward, Strike);

        /// <summary>Undiscounted Black-76 price at <paramref name="sigma"/> minus the target, and its vega.</summary>
        public double Residual(double sigma, out double vega)
        {
            var sqrtYears = Math.Sqrt(Years);
            var stdDev = sigma * sqrtYears;
            var d1 = (LogMoneyness / stdDev) + (0.5 * stdDev);
            var d2 = d1 - stdDev;
            vega = Forward * NormalDistribution.Pdf(d1) * sqrtYears;
            return Black76.Undiscounted(Kind, Forward, Strike, d1, d2) - Price;
        }

        public double InitialGuess()
        {
            var logMoneyness = Math.Abs(LogMoneyness);
            return logMoneyness > 0.0
                ? Math.Sqrt(2.0 * logMoneyness / Years)
                : Sqrt2Pi / Math.Sqrt(Years) * Price / Forward;
        }
    }
}
