namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// An operator rebooked the reversal of a counterparty's side that stands unbalanced (<see cref="RebookAdlReversal"/>):
/// the opposite trade, same quantity and price, is sent to the counterparty again at <paramref name="Sequence"/> (source
/// "adl") under its own message id, in its settled form when <paramref name="SettlementPrice"/> is given. Sent again after
/// a restart until answered; its refusal is journaled (<see cref="AutoDeleverageReversalRefused"/> with this attempt).
/// </summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Round">The auto-deleverage round the fill belongs to.</param>
/// <param name="CounterpartyId">The counterparty whose side is undone.</param>
/// <param name="Attempt">1 for the first rebooking of this fill, then 2 ...: part of the message id.</param>
/// <param name="Sequence">The coordinator's sequence to the counterparty.</param>
/// <param name="SettlementPrice">
/// The venue's settlement price of the expired instrument the counterparty was settled for: the reversal is booked traded
/// and settled at once (cash (price - settlement price) x quantity for a buy undone); null to book it as a trade.
/// </param>
/// <param name="Time">When.</param>
/// <param name="ConfirmUnverified">
/// The operator confirmed what the cluster cannot check (<see cref="RebookAdlReversal.ConfirmUnverified"/>): carried to the
/// account on the settled form (<see cref="Accounts.ApplyExecution.SettlementPriceConfirmed"/>), after a restart too;
/// false in journals written before session 32.
/// </param>
public sealed record AutoDeleverageReversalRebooked(
    string LiquidationId, int Round, string CounterpartyId, int Attempt, long Sequence, decimal? SettlementPrice, DateTimeOffset Time, bool ConfirmUnverified = false)
    : ILiquidationEvent;
