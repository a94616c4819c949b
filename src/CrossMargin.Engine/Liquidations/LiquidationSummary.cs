namespace CrossMargin.Engine.Liquidations;

/// <summary>One line of the <see cref="LiquidationList"/>.</summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="AccountId">The account.</param>
/// <param name="Status">Active or completed.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="Steps">How many events its history has.</param>
/// <param name="LastStep">The newest of them.</param>
public sealed record LiquidationSummary(
    string LiquidationId, string AccountId, LiquidationStatus Status, DateTimeOffset StartedAt, int Steps, ILiquidationEvent LastStep);
