using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Ledger;

/// <summary>
/// Applies a fill to a position, consistently with <see cref="Valuation.PositionValuation"/>: what a fill realizes is
/// exactly what the closed part was valued at, marked at the fill price.
/// </summary>
/// <remarks>
/// <para>
/// Adding in the same direction averages the entry so that the position is worth, at any mark, exactly the sum of its
/// lots. Linear futures and all options (whose premium is linear in price, in coin for inverse options) take the
/// quantity-weighted mean of prices, keeping q x entry additive. Inverse futures take the quantity-weighted harmonic
/// mean, total q / sum(q / price): their P&amp;L is q x size / entry - q x size / mark, so it is q / entry (the coin
/// paid at entry per unit of size) that must add up; an arithmetic mean would misstate every later P&amp;L.
/// </para>
/// <para>
/// Reducing realizes P&amp;L on the closed part at the old entry and leaves the entry unchanged. Crossing through zero
/// closes the whole position at the old entry and opens the remainder at the fill price.
/// </para>
/// <para>
/// Precision: entry prices are kept in full decimal precision, never rounded to the tick. An average has up to 28
/// significant digits, so each averaging may be off by half a unit in the 28th digit (relative 5e-28); repeated fills
/// add such errors, far below the 1e-8 a balance is booked in. Products stay below decimal's range (7.9e28) for any
/// listed size: q x price overflows only beyond 1e22 contracts at a price of 1e6, and overflow throws rather than wraps.
/// </para>
/// <para>
/// Isolated margin: adding leaves it unchanged (topping it up is a margin decision, made by the caller). Reducing
/// releases it pro rata to the closed quantity, booked down, and returns it to the wallet; closing or crossing releases
/// all of it, and a crossed position stays isolated with zero margin. Realized P&amp;L and fees of an isolated position
/// go to the wallet, as Binance books them.
/// </para>
/// </remarks>
public static class TradeAccounting
{
    /// <summary>Applies <paramref name="fill"/> in <paramref name="instrument"/> to <paramref name="position"/> (null when flat).</summary>
    /// <exception cref="ArgumentException">
    /// The fill's quantity or price is not positive, its side is unknown, the fill or position is for another instrument,
    /// the position's entry is not positive, or its isolated margin is negative.
    /// </exception>
    public static FillResult Apply(Position? position, Instrument instrument, Fill fill)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(fill);
        Validate(position, instrument, fill);

        var old = position?.Quantity ?? 0m;
        var signed = fill.SignedQuantity;
        var margin = position?.IsolatedMargin;
        if (old == 0 || Math.Sign(old) == Math.Sign(signed))
        {
            // Opening or adding: nothing is realized. A zero-quantity isolated position keeps its margin.
            var entry = old == 0 ? fill.Price : AverageEntry(instrument, old, position!.EntryPrice, signed, fill.Price);
            var opened = new Position(instrument.Symbol, old + signed, entry, margin);
            return Result(opened, instrument, fill, realized: 0m, closed: 0m, openedQuantity: fill.Quantity, released: 0m);
        }

        var closed = Math.Min(Math.Abs(old), fill.Quantity);
        var closedSigned = old > 0 ? closed : -closed;
        var realized = Realized(instrument, closedSigned, position!.EntryPrice, fill.Price);
        var remaining = old + signed;
        if (remaining == 0)
        {
            return Result(null, instrument, fill, realized, closed, openedQuantity: 0m, released: margin ?? 0m);
        }

        if (Math.Sign(remaining) == Math.Sign(old))
        {
            var released = margin is { } m ? LedgerRounding.Book(m * closed / Math.Abs(old)) : 0m;
            var reduced = position with { Quantity = remaining, IsolatedMargin = margin - released };
            return Result(reduced, instrument, fill, realized, closed, openedQuantity: 0m, released);
        }

        var flipped = new Position(instrument.Symbol, remaining, fill.Price, margin is null ? null : 0m);
        return Result(flipped, instrument, fill, realized, closed, openedQuantity: Math.Abs(remaining), released: margin ?? 0m);
    }

    /// <summary>
    /// The P&amp;L of <paramref name="quantity"/> contracts (signed) entered at <paramref name="entry"/> and closed at
    /// <paramref name="exit"/>, in the settlement asset, computed exactly as <see cref="Valuation.PositionValuation"/>
    /// values a future (options: premium difference).
    /// </summary>
    public static decimal Realized(Instrument instrument, decimal quantity, decimal entry, decimal exit)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var size = instrument.ContractSize;
        return instrument is not OptionContract && instrument.Settlement == SettlementKind.Inverse
            ? (quantity * size / entry) - (quantity * size / exit)
            : quantity * size * (exit - entry);
    }

    /// <summary>
    /// The entry of <paramref name="quantity"/> contracts at <paramref name="entry"/> plus <paramref name="added"/> more
    /// (same sign) at <paramref name="price"/>: arithmetic mean for linear futures and options, harmonic mean for
    /// inverse futures; see the type's remarks.
    /// </summary>
    public static decimal AverageEntry(Instrument instrument, decimal quantity, decimal entry, decimal added, decimal price)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var total = quantity + added;
        return instrument is not OptionContract && instrument.Settlement == SettlementKind.Inverse
            ? total / ((quantity / entry) + (added / price))
            : ((quantity * entry) + (added * price)) / total;
    }

    private static FillResult Result(Position? position, Instrument instrument, Fill fill, decimal realized,
        decimal closed, decimal openedQuantity, decimal released)
    {
        var cash = instrument is OptionContract
            ? -(fill.SignedQuantity * instrument.ContractSize * fill.Price) - fill.Fee
            : realized - fill.Fee;
        return new FillResult(position, instrument.SettlementAsset, realized, LedgerRounding.Book(cash), closed,
            openedQuantity, released);
    }

    private static void Validate(Position? position, Instrument instrument, Fill fill)
    {
        if (!string.Equals(fill.Symbol, instrument.Symbol, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Fill symbol {fill.Symbol} does not match instrument {instrument.Symbol}.", nameof(fill));
        }

        if (fill.Side is not (OrderSide.Buy or OrderSide.Sell))
        {
            throw new ArgumentOutOfRangeException(nameof(fill), fill.Side, $"{fill.Symbol}: fill side {fill.Side} is neither Buy nor Sell.");
        }

        if (fill.Quantity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fill), fill.Quantity, $"{fill.Symbol}: fill quantity must be positive, not {fill.Quantity}.");
        }

        if (fill.Price <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fill), fill.Price, $"{fill.Symbol}: fill price must be positive, not {fill.Price}.");
        }

        if (position is null)
        {
            return;
        }

        if (!string.Equals(position.Symbol, instrument.Symbol, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Position symbol {position.Symbol} does not match instrument {instrument.Symbol}.", nameof(position));
        }

        if (position.Quantity != 0 && position.EntryPrice <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(position), position.EntryPrice, $"{position.Symbol}: position entry price must be positive, not {position.EntryPrice}.");
        }

        if (position.IsolatedMargin is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(position), position.IsolatedMargin, $"{position.Symbol}: isolated margin must not be negative, not {position.IsolatedMargin}.");
        }
    }
}
