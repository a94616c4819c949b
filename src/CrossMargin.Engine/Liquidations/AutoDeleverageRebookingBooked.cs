using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The counterparty booked an operator's rebooking (<see cref="AutoDeleverageReversalRebooked"/>) of the reversal of its
/// unbalanced auto-deleverage side: the pair nets again. Journaled so that the audit trail says what was booked and a
/// restarted coordinator lists the fill booked at once, without sending the rebooking again.
/// </summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Round">The auto-deleverage round the fill belongs to.</param>
/// <param name="CounterpartyId">The counterparty that booked it.</param>
/// <param name="Attempt">The rebooking booked (1, 2 ...: <see cref="AutoDeleverageReversalRebooked.Attempt"/>).</param>
/// <param name="MessageId">The id the counterparty booked it under (<c>{side}:reversed:rebooked-{attempt}</c>).</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">The counterparty's side booked: the opposite of its side that stood.</param>
/// <param name="Quantity">Contracts.</param>
/// <param name="Price">The fill's price it was booked at.</param>
/// <param name="SettlementPrice">The settlement price it was settled at in its settled form; null when booked as a trade.</param>
/// <param name="Time">When the answer came.</param>
public sealed record AutoDeleverageRebookingBooked(
    string LiquidationId,
    int Round,
    string CounterpartyId,
    int Attempt,
    string MessageId,
    string Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal Price,
    decimal? SettlementPrice,
    DateTimeOffset Time) : ILiquidationEvent;
