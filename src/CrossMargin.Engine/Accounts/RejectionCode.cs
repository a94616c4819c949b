namespace CrossMargin.Engine.Accounts;

/// <summary>Why a command was refused; stable codes for clients, with the numbers in <see cref="Rejection.Message"/>.</summary>
public enum RejectionCode
{
    /// <summary>A message id, source or other required text is missing, or the sequence is not positive.</summary>
    InvalidMessage,

    /// <summary>The sequence is at or below its source's highest: reported, not applied.</summary>
    OutOfOrder,

    /// <summary>The market does not list the instrument.</summary>
    UnknownInstrument,

    /// <summary>The market does not price the asset.</summary>
    UnknownAsset,

    /// <summary>Quantity is zero or negative.</summary>
    InvalidQuantity,

    /// <summary>Price is zero or negative, or a funding reference price more than 50% away from the mark.</summary>
    InvalidPrice,

    /// <summary>Amount is zero or negative, or finer than the ledger's unit (1e-8 of the asset).</summary>
    InvalidAmount,

    /// <summary>Funding rate beyond the accepted bound.</summary>
    InvalidRate,

    /// <summary>The order id is not open.</summary>
    UnknownOrder,

    /// <summary>The order id is open already.</summary>
    DuplicateOrder,

    /// <summary>Funding was sent for an instrument that is not a perpetual.</summary>
    NotPerpetual,

    /// <summary>The account holds no position in the instrument.</summary>
    UnknownPosition,

    /// <summary>The wallet holds less of the asset than asked for.</summary>
    InsufficientBalance,

    /// <summary>Afterwards equity would be below initial margin.</summary>
    WouldBreachMargin,

    /// <summary>The amounts are beyond what a decimal balance or position can hold.</summary>
    Overflow,

    /// <summary>The account could not be margined at the current market (e.g. a price is missing): nothing was decided.</summary>
    AssessmentFailed,

    /// <summary>The account was never opened (see <see cref="OpenAccount"/>).</summary>
    UnknownAccount,

    /// <summary>The account is open already.</summary>
    AccountAlreadyOpen,

    /// <summary>
    /// The id may have been applied already under another sequence, and the journal no longer holds the events that
    /// would tell (they were deleted after a snapshot): refused rather than risk applying it twice.
    /// </summary>
    PossibleDuplicate,

    /// <summary>
    /// An execution that must only reduce a position (see <see cref="ApplyExecution.ReducesPosition"/>) would flip it or
    /// meets less than its quantity on that side: the account traded since the sender's view.
    /// </summary>
    PositionChanged,

    /// <summary>
    /// The sequence is further beyond its source's highest applied than the account accepts (a mistyped or foreign
    /// sequence): applied, it would leave every later message from the source out of order. Nothing was applied.
    /// </summary>
    SequenceJump,

    /// <summary>
    /// The message's id was applied already with other content (another amount, quantity, instrument, kind of message,
    /// ...): a sender reused an id for a new message. Nothing was applied; a true retry, with the same content, is a
    /// duplicate. See <see cref="MessageContent"/>.
    /// </summary>
    IdReused,

    /// <summary>
    /// A settlement of an instrument that has not expired yet (or a perpetual, which never does), at the market the
    /// account decides at. Nothing was applied; sent again after the expiry, it settles.
    /// </summary>
    NotExpired,

    /// <summary>
    /// A fill executed at or after its instrument's expiry, or after the account's settlement of it; an order or a
    /// pre-trade check in an expired instrument. Nothing was applied: a fill executed before the expiry is applied until
    /// the account's settlement of the instrument, however late it arrives.
    /// </summary>
    InstrumentExpired,

    /// <summary>
    /// An execution whose fee (or rebate) is larger than the value the fill trades, in its settlement asset: a future's
    /// notional, an option's underlying notional. No venue charges that; a corrupt fee would bankrupt the account (and
    /// start a liquidation and auto-deleveraging against others) or credit it with money nobody paid. Nothing was applied.
    /// </summary>
    InvalidFee,

    /// <summary>
    /// An execution, an accepted order or a pre-trade check whose price is not a whole number of the instrument's ticks
    /// (<see cref="Risk.Instruments.Instrument.TickSize"/>): no matching engine trades there, so the message is corrupt or
    /// its sender's instrument differs from ours. Nothing was applied.
    /// </summary>
    PriceOffTick,

    /// <summary>
    /// An execution, an accepted order or a pre-trade check whose quantity is not a whole number of the instrument's lots
    /// (<see cref="Risk.Instruments.Instrument.LotSize"/>, 1e-8 contract unless configured): no matching engine trades it.
    /// Nothing was applied. Not an execution (nor an order or a pre-trade check) that closes the account's whole position
    /// exactly: a position off the lot (booked before lots were enforced, or by a lot since changed) closes only so, by the
    /// venue's close-position order.
    /// </summary>
    QuantityOffLot,
}
