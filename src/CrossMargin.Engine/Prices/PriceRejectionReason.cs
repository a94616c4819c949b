namespace CrossMargin.Engine.Prices;

/// <summary>Why a price update was refused; stable codes for the feed, the numbers are in <see cref="PriceRejected.Message"/>.</summary>
public enum PriceRejectionReason
{
    /// <summary>The market does not list the instrument.</summary>
    UnknownInstrument,

    /// <summary>The market does not price the asset.</summary>
    UnknownAsset,

    /// <summary>The instrument expired at or before now.</summary>
    InstrumentExpired,

    /// <summary>The price is zero or negative.</summary>
    NonPositivePrice,

    /// <summary>
    /// The vol is NaN, infinite or outside the configured bounds, was given for an instrument that is not an option,
    /// or could not be implied from an option's mark.
    /// </summary>
    InvalidVolatility,

    /// <summary>The timestamp is older than <see cref="PriceOptions.MaxMarkAge"/>.</summary>
    Stale,

    /// <summary>The timestamp is ahead of now by more than <see cref="PriceOptions.MaxFutureSkew"/>.</summary>
    FromFuture,

    /// <summary>The timestamp is older than the last accepted for the same symbol or asset.</summary>
    OutOfOrder,

    /// <summary>
    /// A perpetual's or future's mark is further from its underlying's index than <see cref="PriceOptions.MarkBandFraction"/>,
    /// or an option's mark is at or above the most the option can be worth (the discounted forward for a call, the
    /// discounted strike for a put, in USD), or, given with a vol, further from its Black-76 price at that vol than
    /// <see cref="PriceOptions.OptionVolBandFraction"/> of it plus one tick.
    /// </summary>
    OutsideBand,

    /// <summary>
    /// An index at which a listed dated future's forward could not be a mark: beyond a decimal's range once put in ticks,
    /// or below one tick. The future's held mark falls back to that forward when the index moves it out of the band, so
    /// such an index is refused rather than leave the future unmarked or marked at zero.
    /// </summary>
    ForwardOutOfRange,

    /// <summary>
    /// An index further from the last accepted index of its asset than <see cref="PriceOptions.MaxIndexMoveFraction"/>:
    /// nothing moved. The message names the last, the new and the band, and how many confirmations the level has.
    /// </summary>
    IndexJump,
}
