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
/// <param name="SettlementPrice">
/// Booked in its settled form: the instrument had expired and the account had been settled for it, so the fill's
/// position is settled at once at this price (<see cref="Risk.Ledger.ExpirySettlement"/>) and only its cash stays; null
/// for a fill booked as a position (every one before session 30).
/// </param>
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
    bool IsLiquidation,
    decimal? SettlementPrice = null) : IAccountEvent;
