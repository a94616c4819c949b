namespace CrossMargin.Risk.Pricing;

/// <summary>The outcome of inverting Black-76 for volatility: a volatility, or the reason there is none.</summary>
/// <param name="Converged">True when <see cref="Volatility"/> reproduces the price to the requested tolerance.</param>
/// <param name="Volatility">Annualised implied volatility as a fraction (0.8 = 80%); NaN when not converged.</param>
/// <param name="Iterations">Solver iterations spent (0 when the price was rejected before iterating).</param>
/// <param name="Failure">Why no volatility was found, in words fit for a log or a user; null on success.</param>
public readonly record struct ImpliedVolatilityResult(bool Converged, double Volatility, int Iterations, string? Failure)
{
    /// <summary>A converged result.</summary>
    /// <param name="volatility">The implied volatility.</param>
    /// <param name="iterations">Iterations spent.</param>
    /// <returns>A result with <see cref="Converged"/> true and no failure.</returns>
    public static ImpliedVolatilityResult Success(double volatility, int iterations) =>
        new(Converged: true, volatility, iterations, Failure: null);

    /// <summary>A failed result: volatility NaN and a reason.</summary>
    /// <param name="reason">Why no volatility was found.</param>
    /// <param name="iterations">Iterations spent.</param>
    /// <returns>A result with <see cref="Converged"/> false.</returns>
    public static ImpliedVolatilityResult Failed(string reason, int iterations) =>
        new(Converged: false, double.NaN, iterations, reason);
}
