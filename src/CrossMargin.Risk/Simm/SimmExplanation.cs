namespace CrossMargin.Risk.Simm;

/// <summary>
/// The SIMM-style requirement: IM = delta + vega + curvature margin in the open-order case that binds;
/// MM = maintenance factor x IM of the positions alone.
/// </summary>
/// <param name="OpenOrderCase">"positions", "positions + buy orders" or "positions + sell orders".</param>
/// <param name="Sensitivities">Net sensitivities per underlying of the binding case.</param>
/// <param name="Delta">Delta margin.</param>
/// <param name="Vega">Vega margin.</param>
/// <param name="Curvature">Curvature margin.</param>
/// <param name="PositionsInitialMarginUsd">IM of the positions alone (the base of MM).</param>
/// <param name="MaintenanceFactor">MM / IM.</param>
public sealed record SimmExplanation(
    string OpenOrderCase, IReadOnlyList<SimmSensitivity> Sensitivities, SimmRiskClassMargin Delta, SimmRiskClassMargin Vega,
    SimmRiskClassMargin Curvature, decimal PositionsInitialMarginUsd, double MaintenanceFactor);
