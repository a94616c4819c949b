using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Would the account accept this order? Answered from memory, as if the order filled in full at its price, without
/// a write: it is not deduplicated and changes nothing.
/// </summary>
/// <param name="MessageId">Unique id of the request (for the reply only).</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Quantity">Contracts, positive.</param>
/// <param name="Price">Limit price, positive.</param>
/// <param name="Fee">The fee the fill would pay in the settlement asset (the taker fee, to be safe).</param>
public sealed record CheckPreTrade(string MessageId, string Symbol, OrderSide Side, decimal Quantity, decimal Price, decimal Fee = 0m);
