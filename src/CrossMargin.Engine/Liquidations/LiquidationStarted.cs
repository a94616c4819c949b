using CrossMargin.Risk.Margin;

namespace CrossMargin.Engine.Liquidations;

/// <summary>A liquidation began: the account's breach as reported, and the <c>CancelAllOrders</c> sent to it first.</summary>
/// <param name="LiquidationId">"liq-{account}-{n}", n counting the account's liquidations from 1.</param>
/// <param name="AccountId">The account.</param>
/// <param name="Status">Liquidation or bankrupt, as the account reported.</param>
/// <param name="EquityUsd">Equity reported.</param>
/// <param name="MaintenanceMarginUsd">Maintenance margin reported.</param>
/// <param name="CancelSequence">The coordinator's sequence number (source "liquidation") of the cancel-all message.</param>
/// <param name="Time">When.</param>
/// <param name="TakeOverOf">
/// For the unwind of the insurance fund's account started by a take-over: the take-over's round,
/// "{liquidation}:adl-{round}" (its equity is then the take-over's value at the mark, and its maintenance margin 0, not
/// assessed). Null for a breach, and in older journals.
/// </param>
/// <param name="CoverRequestId">
/// For a liquidation an operator started to have the fund cover a deficit left uncovered: the
/// <see cref="CoverUncoveredDeficit"/>'s request id (its status and equity are then the account's as recorded, its
/// maintenance margin 0). Null for a breach, and in older journals.
/// </param>
public sealed record LiquidationStarted(
    string LiquidationId, string AccountId, MarginStatus Status, decimal EquityUsd, decimal MaintenanceMarginUsd, long CancelSequence, DateTimeOffset Time,
    string? TakeOverOf = null, string? CoverRequestId = null) : ILiquidationEvent;
