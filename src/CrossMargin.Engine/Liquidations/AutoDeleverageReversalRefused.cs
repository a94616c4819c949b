using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The counterparty refused the execution that undoes its side of an auto-deleverage fill whose bankrupt side was
/// refused (<see cref="AutoDeleverageBankruptSideRefused"/>): the original reversal (<paramref name="Attempt"/> 0), or an
/// operator's rebooking of it (<see cref="AutoDeleverageReversalRebooked"/>, attempt 1, 2 ...). Its sequence is voided,
/// and it is not sent again after a restart. The counterparty's side stands with no bankrupt side against it: the fill is
/// unbalanced (<see cref="UnbalancedAdlFill"/>) until an operator rebooks the reversal (<see cref="RebookAdlReversal"/>).
/// </summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Round">The auto-deleverage round the fill belongs to.</param>
/// <param name="CounterpartyId">The counterparty, whose side stands.</param>
/// <param name="Code">Its reason.</param>
/// <param name="Reason">Its reason, with the numbers.</param>
/// <param name="Time">When.</param>
/// <param name="Attempt">0 for the reversal sent when the bankrupt side was refused; n for the operator's n-th rebooking.</param>
public sealed record AutoDeleverageReversalRefused(
    string LiquidationId, int Round, string CounterpartyId, RejectionCode Code, string Reason, DateTimeOffset Time, int Attempt = 0) : ILiquidationEvent;
