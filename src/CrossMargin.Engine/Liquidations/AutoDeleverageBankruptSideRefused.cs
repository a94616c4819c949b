using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The bankrupt account refused its side of an auto-deleverage fill its counterparty applied, for a reason other than a
/// venue fill that changed its position (or again, once sent without the position it states): the counterparty's side
/// stands and the books no longer net, which only an operator can put right. Its sequence is voided in its place, and
/// after a restart the void is sent again, never the side: the account would refuse it again and nothing would apply.
/// </summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Round">The auto-deleverage round the fill belongs to.</param>
/// <param name="CounterpartyId">The counterparty of the fill, which applied its side.</param>
/// <param name="Code">The bankrupt account's reason.</param>
/// <param name="Reason">Its reason, with the numbers.</param>
/// <param name="Time">When.</param>
public sealed record AutoDeleverageBankruptSideRefused(string LiquidationId, int Round, string CounterpartyId, RejectionCode Code, string Reason, DateTimeOffset Time)
    : ILiquidationEvent;
