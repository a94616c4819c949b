using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The bankrupt account refused its side of an auto-deleverage fill its counterparty applied. Its sequence is voided in
/// its place, and after a restart the void is sent again, never the side: the account would refuse it again. When it
/// refused because it holds less than the round saw (<see cref="RejectionCode.PositionChanged"/>), the counterparty's
/// side is reversed at <see cref="ReversalSequence"/> so the books net; otherwise the counterparty's side stands and the
/// books no longer net, which only an operator can put right.
/// </summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Round">The auto-deleverage round the fill belongs to.</param>
/// <param name="CounterpartyId">The counterparty of the fill, which applied its side.</param>
/// <param name="Code">The bankrupt account's reason.</param>
/// <param name="Reason">Its reason, with the numbers.</param>
/// <param name="Time">When.</param>
/// <param name="ReversalSequence">
/// The coordinator's sequence (source "adl") of the counterparty's execution that undoes its side (the opposite trade,
/// same quantity and price); null when the side stands, and in older journals (which forced the bankrupt side through).
/// </param>
public sealed record AutoDeleverageBankruptSideRefused(
    string LiquidationId, int Round, string CounterpartyId, RejectionCode Code, string Reason, DateTimeOffset Time, long? ReversalSequence = null)
    : ILiquidationEvent;
