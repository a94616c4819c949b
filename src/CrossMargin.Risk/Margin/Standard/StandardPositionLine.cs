namespace CrossMargin.Risk.Margin.Standard;

/// <summary>How the standard model margined one position.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Quantity">Position in contracts.</param>
/// <param name="MarkPrice">Mark used.</param>
/// <param name="NotionalUsd">The position's notional.</param>
/// <param name="InitialMarginUsd">Initial margin, open orders included.</param>
/// <param name="MaintenanceMarginUsd">Maintenance margin.</param>
/// <param name="Basis">
/// Which rule applied, in words: the risk-limit bracket with its rates and amounts, or the option formula with its
/// terms, and which open-order case bound initial margin.
/// </param>
/// <param name="Isolated">True when the position has its own isolated margin.</param>
public sealed record StandardPositionLine(
    string Symbol, decimal Quantity, decimal MarkPrice, decimal NotionalUsd,
    decimal InitialMarginUsd, decimal MaintenanceMarginUsd, string Basis, bool Isolated);
