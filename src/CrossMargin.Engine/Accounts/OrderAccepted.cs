using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Accounts;

/// <summary>The venue accepted a resting order: it now counts toward initial margin.</summary>
/// <param name="MessageId">The inbound message's unique id.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="OrderId">The venue's order id.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Quantity">Contracts, positive.</param>
/// <param name="LimitPrice">Limit price in the instrument's price unit, positive.</param>
public sealed record OrderAccepted(
    string MessageId, string Source, long Sequence, string OrderId, string Symbol, OrderSide Side, decimal Quantity, decimal LimitPrice)
    : IAccountEvent;
