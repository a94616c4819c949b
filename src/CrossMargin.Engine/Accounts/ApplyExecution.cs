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
/// <param name="ReducesPosition">
/// For an auto-deleverage fill, the signed position the sender expects it to reduce (null for a venue fill, and in older
/// journals): the account refuses the fill with <see cref="RejectionCode.PositionChanged"/> when it holds less than the
/// fill's quantity on that side, which a fill would otherwise flip through zero. A venue fill is a fact; this one is a
/// decision made from a view the venue may have traded the account under since.
/// </param>
/// <param name="SettlementPrice">
/// For an execution in an expired instrument the account was already settled for, which it otherwise refuses: the
/// underlying's settlement price the venue settled it at (exactly: any other is refused), so that the fill is booked in its settled form (traded at
/// <paramref name="Price"/> and settled at once at this price: cash only, no position). Sent by an operator's rebooking
/// of an auto-deleverage reversal (<see cref="Liquidations.RebookAdlReversal"/>), booked as <see cref="SettledExecutionApplied"/>; null for every other execution.
/// </param>
/// <param name="SettlementPriceConfirmed">
/// The operator confirmed <paramref name="SettlementPrice"/> as the venue's (<see cref="Liquidations.RebookAdlReversal.ConfirmUnverified"/>):
/// needed only by an account settled before it kept the price (nothing in the cluster keeps the venue's price to check it
/// against); elsewhere the kept price decides. A condition on applying, not content (<see cref="MessageContent"/>).
/// </param>
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
    bool IsLiquidation = false,
    decimal? ReducesPosition = null,
    decimal? SettlementPrice = null,
    bool SettlementPriceConfirmed = false) : IAccountCommand;
