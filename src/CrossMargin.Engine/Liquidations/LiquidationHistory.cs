namespace CrossMargin.Engine.Liquidations;

/// <summary>The whole audited history of one liquidation.</summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="AccountId">The account.</param>
/// <param name="Status">Active or completed.</param>
/// <param name="Steps">Every persisted step, oldest first.</param>
public sealed record LiquidationHistory(string LiquidationId, string AccountId, LiquidationStatus Status, IReadOnlyList<ILiquidationEvent> Steps);
