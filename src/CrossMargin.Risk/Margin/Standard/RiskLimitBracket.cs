namespace CrossMargin.Risk.Margin.Standard;

/// <summary>
/// One notional bracket of a risk-limit schedule, as venues publish them (Binance "leverage brackets").
/// Within the bracket, margin = notional x rate - amount; the amounts are chosen by <see cref="RiskLimitSchedule"/>
/// so that margin is continuous at every bracket edge.
/// </summary>
/// <param name="NotionalFloorUsd">Lower bound of the bracket's notional, inclusive.</param>
/// <param name="NotionalCapUsd">Upper bound, exclusive; null for the last bracket.</param>
/// <param name="InitialRate">Initial margin rate (1 / max leverage).</param>
/// <param name="MaintenanceRate">Maintenance margin rate.</param>
/// <param name="InitialAmountUsd">Deduction from notional x initial rate (continuity amount).</param>
/// <param name="MaintenanceAmountUsd">Deduction from notional x maintenance rate (Binance's "cum").</param>
public sealed record RiskLimitBracket(
    decimal NotionalFloorUsd,
    decimal? NotionalCapUsd,
    decimal InitialRate,
    decimal MaintenanceRate,
    decimal InitialAmountUsd,
    decimal MaintenanceAmountUsd)
{
    /// <summary>Initial margin of a notional inside this bracket.</summary>
    public decimal InitialMargin(decimal notionalUsd) => (notionalUsd * InitialRate) - InitialAmountUsd;

    /// <summary>Maintenance margin of a notional inside this bracket.</summary>
    public decimal MaintenanceMargin(decimal notionalUsd) => (notionalUsd * MaintenanceRate) - MaintenanceAmountUsd;
}
