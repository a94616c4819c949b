namespace CrossMargin.Risk.Historical;

/// <summary>
/// The historical-simulation requirement: IM = max(measure over the current scenarios, the same over the stressed
/// period), at least 0, in the open-order case that binds; MM = maintenance factor x IM of the positions alone.
/// </summary>
/// <param name="Measure">"var" or "es": what IM charges.</param>
/// <param name="OpenOrderCase">The binding open-order case.</param>
/// <param name="Scenarios">Current scenarios.</param>
/// <param name="VarConfidence">VaR confidence.</param>
/// <param name="EsConfidence">ES confidence.</param>
/// <param name="HorizonDays">Horizon.</param>
/// <param name="Horizon">How the horizon was reached.</param>
/// <param name="Filtered">True when returns were EWMA-filtered.</param>
/// <param name="VarUsd">VaR over the current scenarios.</param>
/// <param name="EsUsd">ES over the current scenarios.</param>
/// <param name="StressedVarUsd">VaR over the stressed period, or null.</param>
/// <param name="StressedEsUsd">ES over the stressed period, or null.</param>
/// <param name="WorstScenario">End date of the worst current scenario.</param>
/// <param name="WorstLossUsd">Its loss.</param>
/// <param name="PositionsInitialMarginUsd">IM of the positions alone (the base of MM).</param>
/// <param name="MaintenanceFactor">MM / IM.</param>
/// <param name="VolatilityMoves">Underlyings of the portfolio's options whose implied vols the scenarios move (the history has vols for them).</param>
public sealed record HistoricalExplanation(
    string Measure, string OpenOrderCase, int Scenarios, double VarConfidence, double EsConfidence, int HorizonDays, HorizonMethod Horizon,
    bool Filtered, decimal VarUsd, decimal EsUsd, decimal? StressedVarUsd, decimal? StressedEsUsd, DateOnly WorstScenario, decimal WorstLossUsd,
    decimal PositionsInitialMarginUsd, double MaintenanceFactor, IReadOnlyList<string>? VolatilityMoves = null);
