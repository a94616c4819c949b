namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>A risk-limit bracket in doubles (see <see cref="Standard.RiskLimitBracket"/>); the last one's cap is +infinity.</summary>
internal readonly record struct FastBracket(double Cap, double InitialRate, double InitialAmount, double MaintenanceRate, double MaintenanceAmount);
