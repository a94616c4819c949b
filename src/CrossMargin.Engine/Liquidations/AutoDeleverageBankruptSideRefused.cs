using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The bankrupt account refused its side of an auto-deleverage fill its counterparty applied. Its sequence is voided in
/// its place, and after a restart the void is sent again, never the side: the account would refuse it again. Whatever the
/// reason, the counterparty's side is reversed at <see cref="ReversalSequence"/> so the books net (but for
/// <see cref="RejectionCode.IdReused"/>: the account applied something under the side's id, so the side may be in the
/// books already; the fill is then listed unbalanced for an operator, <see cref="UnbalancedAdlFill"/>, as it is when the
/// reversal itself is refused, <see cref="AutoDeleverageReversalRefused"/>). When it refused because it holds less than the round saw (<see cref="RejectionCode.PositionChanged"/>)
/// the liquidation prices a new round from what it holds; for any other reason, which the next round would meet again,
/// the liquidation no longer auto-deleverages the round's instrument until an operator resumes it (<see cref="ResumeLiquidation"/>).
/// </summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Round">The auto-deleverage round the fill belongs to.</param>
/// <param name="CounterpartyId">The counterparty of the fill, which applied its side.</param>
/// <param name="Code">The bankrupt account's reason.</param>
/// <param name="Reason">Its reason, with the numbers.</param>
/// <param name="Time">When.</param>
/// <param name="ReversalSequence">
/// The coordinator's sequence (source "adl") of the counterparty's execution that undoes its side (the opposite trade,
/// same quantity and price); null when the side stands (<see cref="RejectionCode.IdReused"/>), and in older journals (which
/// forced the bankrupt side through when its position had changed, and left the counterparty's side standing otherwise).
/// </param>
public sealed record AutoDeleverageBankruptSideRefused(
    string LiquidationId, int Round, string CounterpartyId, RejectionCode Code, string Reason, DateTimeOffset Time, long? ReversalSequence = null)
    : ILiquidationEvent;
