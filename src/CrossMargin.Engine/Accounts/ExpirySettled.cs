namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The account's holding in an expired instrument was settled at <paramref name="SettlementPrice"/>, as
/// <see cref="Risk.Ledger.ExpirySettlement.Of"/> computes it from the position held when the event is applied (so replay
/// needs no market data): the payment and any isolated margin went to the wallet, the position ended and the orders
/// resting in the instrument were dropped.
/// </summary>
/// <param name="MessageId">The inbound message's unique id.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="Symbol">The expired instrument.</param>
/// <param name="SettlementPrice">The underlying's settlement price, in the quote asset per unit of underlying.</param>
public sealed record ExpirySettled(string MessageId, string Source, long Sequence, string Symbol, decimal SettlementPrice) : IAccountEvent;
