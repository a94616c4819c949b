namespace CrossMargin.Risk.Margin;

/// <summary>A model's requirement without its explanation: the two numbers the engine's hot paths need.</summary>
/// <param name="InitialMarginUsd">Initial margin in USD, open orders included, not yet rounded.</param>
/// <param name="MaintenanceMarginUsd">Maintenance margin in USD, not yet rounded.</param>
public readonly record struct RequirementFigures(decimal InitialMarginUsd, decimal MaintenanceMarginUsd);
