namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// Operator: issue liquidation orders in <paramref name="Symbol"/> again, and auto-deleverage it again in the liquidations
/// that held it after their account refused its side of a fill (<see cref="AutoDeleverageBankruptSideRefused"/>); waiting
/// liquidations re-plan at once. Answered with <see cref="HaltedInstruments"/>.
/// </summary>
/// <param name="Symbol">The instrument.</param>
public sealed record ResumeLiquidation(string Symbol);
