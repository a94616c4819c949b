namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// Operator: issue liquidation orders in <paramref name="Symbol"/> again, and auto-deleverage it again in the liquidations
/// that held it after their account refused its side of a fill (<see cref="AutoDeleverageBankruptSideRefused"/>); waiting
/// liquidations re-plan at once. With <paramref name="LiquidationId"/>, only that liquidation's hold of the instrument is
/// released (the others keep theirs, and a halt stays). Answered with <see cref="HaltedInstruments"/>.
/// </summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="LiquidationId">One liquidation holding the instrument, to release it alone; null for the instrument everywhere.</param>
public sealed record ResumeLiquidation(string Symbol, string? LiquidationId = null);
