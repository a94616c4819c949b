using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Accounts;

/// <summary>An execution against the account was booked: position, settlement balance and the open order changed.</summary>
/// <param name="MessageId">The inbound message's unique id.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="ExecutionId">The venue's execution id.</param>
/// <param name="OrderId">The order filled; its open remainder shrinks by <paramref name="Quantity"/>.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Quantity">Contracts filled, positive.</param>
/// <param name="Price">Fill price in the instrument's price unit.</param>
/// <param name="Fee">Fee in the settlement asset; negative for a rebate.</param>
/// <param name="Liquidity">Maker or taker.</param>
/// <param name="VenueTimestamp">When the venue matched it (recorded, never read as a clock).</param>
/// <param name="IsLiquidation">True for a forced (liquidation or deleveraging) fill.</param>
public sealed record ExecutionApplied(
    string MessageId,
    string Source,
    long Sequence,
    string ExecutionId,
    string OrderId,
    string Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal Price,
    decimal Fee,
    Liquidity Liquidity,
    DateTimeOffset VenueTimestamp,
    bool IsLiquidation) : IAccountEvent;
