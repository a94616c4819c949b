using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// An execution in an expired instrument the account had been settled for was booked in its settled form
/// (<see cref="ApplyExecution.SettlementPrice"/>): traded at <paramref name="Price"/> and the position it opened settled
/// at once at <paramref name="SettlementPrice"/> (<see cref="Risk.Ledger.ExpirySettlement"/>), so only its cash stays. Its
/// own event, not a field of <see cref="ExecutionApplied"/>: a node that does not know it fails to read it rather than
/// booking a position the venue has settled.
/// </summary>
/// <param name="MessageId">The inbound message's unique id.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="ExecutionId">The execution id.</param>
/// <param name="OrderId">The order filled.</param>
/// <param name="Symbol">The expired instrument.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Quantity">Contracts, positive.</param>
/// <param name="Price">Fill price in the instrument's price unit.</param>
/// <param name="Fee">Fee in the settlement asset; negative for a rebate.</param>
/// <param name="Liquidity">Maker or taker.</param>
/// <param name="VenueTimestamp">When it was matched (recorded, never read as a clock).</param>
/// <param name="IsLiquidation">True for a forced fill.</param>
/// <param name="SettlementPrice">The underlying's settlement price the position is settled at.</param>
public sealed record SettledExecutionApplied(
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
    decimal SettlementPrice) : IAccountEvent
{
    /// <summary>The fill as a position-booking execution, before its settlement.</summary>
    public ExecutionApplied AsTrade() =>
        new(MessageId, Source, Sequence, ExecutionId, OrderId, Symbol, Side, Quantity, Price, Fee, Liquidity, VenueTimestamp, IsLiquidation);
}
