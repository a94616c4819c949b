namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>
/// The scenario model's requirement: IM = sum of underlying risks - sum of offset credits, in the open-order case
/// that binds; MM = maintenance factor x IM of the positions alone.
/// </summary>
/// <param name="OpenOrderCase">"positions", "positions + buy orders" or "positions + sell orders".</param>
/// <param name="Underlyings">Per-underlying risk of the binding case.</param>
/// <param name="Offsets">Credits granted in the binding case.</param>
/// <param name="PositionsInitialMarginUsd">IM of the positions alone (the base of MM), unrounded.</param>
/// <param name="MaintenanceFactor">MM / IM.</param>
public sealed record PortfolioMarginExplanation(
    string OpenOrderCase, IReadOnlyList<UnderlyingRisk> Underlyings, IReadOnlyList<OffsetCredit> Offsets,
    decimal PositionsInitialMarginUsd, double MaintenanceFactor);
