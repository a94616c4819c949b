using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// A counterparty refused its side of an auto-deleverage fill (it traded since the round's view of it): the bankrupt
/// account's side is never sent, so neither applies, and the fill is neither re-sent after a restart nor counted as
/// pending; the next round deleverages what is left from fresh views.
/// </summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Round">The auto-deleverage round the fill belongs to.</param>
/// <param name="AccountId">The counterparty that refused.</param>
/// <param name="Code">Its reason.</param>
/// <param name="Reason">Its reason, with the numbers.</param>
/// <param name="Time">When.</param>
public sealed record AutoDeleverageFillRefused(string LiquidationId, int Round, string AccountId, RejectionCode Code, string Reason, DateTimeOffset Time)
    : ILiquidationEvent;
