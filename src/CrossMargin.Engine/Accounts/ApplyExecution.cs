using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Accounts;

/// <summary>Book an execution the venue reported. It is a fact: only its shape is checked, never the account's margin.</summary>
/// <param name="MessageId">Unique id of the message.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="ExecutionId">The venue's execution id.</param>
/// <param name="OrderId">The order filled.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Quantity">Contracts, positive.</param>
/// <param name="Price">Fill price, positive.</param>
/// <param name="Fee">Fee in the settlement asset; negative for a rebate.</param>
/// <param name="Liquidity">Maker or taker.</param>
/// <param name="VenueTimestamp">When the venue matched it.</param>
/// <param name="IsLiquidation">True for a forced fill.</param>
public sealed record ApplyExecution(
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
    bool IsLiquidation = false) : IAccountCommand;
