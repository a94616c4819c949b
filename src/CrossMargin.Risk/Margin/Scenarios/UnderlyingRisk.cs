namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>How one underlying's requirement came about.</summary>
/// <param name="Underlying">The underlying.</param>
/// <param name="BindingScenario">Index of the row with the worst weighted loss, or -1 when no row loses.</param>
/// <param name="BindingLabel">That row in words.</param>
/// <param name="ScenarioPnlUsd">Total P&amp;L in that row before weighting; the contributions sum to it.</param>
/// <param name="ScanRiskUsd">The worst weighted loss.</param>
/// <param name="ShortOptionMinimumUsd">The short option minimum.</param>
/// <param name="RollShockUsd">Roll shock of dated futures and perpetuals.</param>
/// <param name="RiskUsd">max(ScanRisk, ShortOptionMinimum) + RollShock.</param>
/// <param name="Contributions">Each holding's share of <paramref name="ScenarioPnlUsd"/>.</param>
public sealed record UnderlyingRisk(
    string Underlying, int BindingScenario, string BindingLabel, decimal ScenarioPnlUsd, decimal ScanRiskUsd,
    decimal ShortOptionMinimumUsd, decimal RollShockUsd, decimal RiskUsd, IReadOnlyList<InstrumentContribution> Contributions);
