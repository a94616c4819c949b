namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Settle the account's holding in a dated future or an option that has expired, at the venue's settlement (delivery)
/// price of its underlying: the position is paid out (<see cref="Risk.Ledger.ExpirySettlement"/>) and ends, and orders
/// resting in the instrument are dropped. Sent by the venue to each account that held the instrument at expiry, as
/// funding is.
/// </summary>
/// <param name="MessageId">Unique id of the message.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="Symbol">An instrument that has expired (at or before the market's valuation time).</param>
/// <param name="SettlementPrice">
/// The underlying's settlement price in the instrument's quote asset per unit of underlying (options too: not the
/// option's premium); positive and within <see cref="Risk.Ledger.ExpirySettlement.MaxIndexDeviation"/> of the index.
/// </param>
public sealed record SettleExpiry(string MessageId, string Source, long Sequence, string Symbol, decimal SettlementPrice) : IAccountCommand;
