namespace CrossMargin.Risk.Pricing;

/// <summary>
/// The value of one European option on a forward and its first-order sensitivities (plus gamma),
/// all per one unit of the underlying forward and in the currency of the forward and strike.
/// </summary>
/// <param name="Price">Present value: the undiscounted Black-76 value times exp(−rT).</param>
/// <param name="Delta">
/// ∂V/∂F: change in value per 1.00 change of the <em>forward</em> (not the spot), discount held
/// fixed. For a spot-based delta multiply by exp(rT) when F = S·exp(rT).
/// </param>
/// <param name="Gamma">∂²V/∂F²: change in <see cref="Delta"/> per 1.00 change of the forward.</param>
/// <param name="Vega">
/// ∂V/∂σ: change in value per 1.00 (that is, 100 volatility points) of annualised volatility.
/// Divide by 100 for the change per volatility point.
/// </param>
/// <param name="Theta">
/// −∂V/∂T: change in value per year as calendar time passes (time to expiry shrinks), forward,
/// volatility and rate held fixed. Usually negative for a long option; divide by 365 for a
/// per-calendar-day figure.
/// </param>
/// <param name="Rho">
/// ∂V/∂r: change in value per 1.00 (10,000 basis points) of the continuously compounded rate,
/// with the forward held fixed, so only discounting moves: for Black-76 this is −T·V.
/// </param>
public readonly record struct OptionGreeks(
    double Price,
    double Delta,
    double Gamma,
    double Vega,
    double Theta,
    double Rho);
