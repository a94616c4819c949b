using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Accounts;

/// <summary>Record an order the venue accepted, so that it counts toward initial margin.</summary>
/// <param name="MessageId">Unique id of the message.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="OrderId">The venue's order id, not already open.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Quantity">Contracts, positive.</param>
/// <param name="LimitPrice">Limit price, positive.</param>
public sealed record AcceptOrder(
    string MessageId, string Source, long Sequence, string OrderId, string Symbol, OrderSide Side, decimal Quantity, decimal LimitPrice)
    : IAccountCommand;
