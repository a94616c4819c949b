namespace CrossMargin.Engine.Accounts;

/// <summary>
/// A perpetual's funding was settled against the account's position, as <see cref="Risk.Ledger.FundingPayment.Of"/>
/// computes it from the rate and mark recorded here (so replay needs no market data).
/// </summary>
/// <param name="MessageId">The inbound message's unique id.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="Symbol">The perpetual.</param>
/// <param name="Rate">Funding rate per settlement (0.0001 = 0.01%); longs pay when positive.</param>
/// <param name="MarkPrice">The funding reference price.</param>
/// <param name="PositionQuantity">
/// The position the payment is computed on, as the venue stated it (<see cref="SettleFunding.PositionQuantity"/>); null
/// (and in events recorded before the field existed) for the position the account held when the event was applied.
/// </param>
public sealed record FundingSettled(string MessageId, string Source, long Sequence, string Symbol, decimal Rate, decimal MarkPrice,
    decimal? PositionQuantity = null) : IAccountEvent;
