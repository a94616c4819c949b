using CrossMargin.Risk.Liquidation;

namespace CrossMargin.Engine.Liquidations;

/// <summary>The planner's decision for one step (orders issued, or throttled / nothing to close), with its reasons.</summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Step">The step's number, from 1.</param>
/// <param name="Outcome">What the planner decided.</param>
/// <param name="Reason">The planner's reason, with the numbers.</param>
/// <param name="EquityUsd">The account's equity before the step.</param>
/// <param name="MaintenanceMarginUsd">Its maintenance margin before the step.</param>
/// <param name="Orders">The orders issued (none unless <paramref name="Outcome"/> is Orders); they take the instruments' budgets.</param>
/// <param name="Time">When.</param>
/// <param name="TakeOverIfUnfilled">
/// The step closes the account's last positions within their bankruptcy bound: if the book fills none of it, the next
/// evaluation takes the position over (auto-deleverages it at its bankruptcy price) instead of asking the book again.
/// False in events written before take-overs existed.
/// </param>
public sealed record LiquidationStepPlanned(
    string LiquidationId,
    int Step,
    LiquidationPlanOutcome Outcome,
    string Reason,
    decimal EquityUsd,
    decimal MaintenanceMarginUsd,
    IReadOnlyList<IssuedLiquidationOrder> Orders,
    DateTimeOffset Time,
    bool TakeOverIfUnfilled = false) : ILiquidationEvent;
