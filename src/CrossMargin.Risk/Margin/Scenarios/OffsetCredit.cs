namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>A credit granted between correlated underlyings.</summary>
/// <param name="Underlyings">The group.</param>
/// <param name="StandaloneScanRiskUsd">Sum of the group's scan risks taken one by one.</param>
/// <param name="JointScanRiskUsd">Scan risk of the group's vectors added row by row, gains scaled by the gain factor.</param>
/// <param name="CreditRate">Fraction of the benefit credited.</param>
/// <param name="CreditUsd">CreditRate x max(0, standalone - joint).</param>
public sealed record OffsetCredit(IReadOnlyList<string> Underlyings, decimal StandaloneScanRiskUsd, decimal JointScanRiskUsd, double CreditRate, decimal CreditUsd);
