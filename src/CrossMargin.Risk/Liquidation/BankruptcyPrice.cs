using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Liquidation;

/// <summary>
/// The price at which closing a whole position leaves its pool's equity at exactly zero, everything else held at mark.
/// </summary>
/// <remarks>
/// <para>
/// The pool's whole equity E (USD, at mark, unrounded: haircut collateral plus every position's value) is attributed to
/// the position being closed: closing q contracts at P instead of the mark M changes equity by what the difference of
/// prices realizes, and the other positions stay at mark. So with several positions the residual equity, positive or
/// negative, is what the closed position may lose (or must recover).
/// </para>
/// <para>
/// Linear futures and all options (value q x c x price in the settlement asset, USD price s):
/// E + q c s (P - M) = 0, so P = M - E / (q c s).
/// Inverse futures (P&amp;L q c (1/entry - 1/P) in coin, coin at USD price s):
/// E + q c s (1/M - 1/P) = 0, so P = 1 / (1/M + E / (q c s)).
/// </para>
/// <para>
/// The price is rounded to the tick against the account (up for a long, down for a short), so closing at the rounded
/// price leaves equity at or above zero. Null when no positive price leaves equity at zero: a long whose collateral
/// covers it even at zero, or an inverse short whose equity covers the most it can lose (q c / M coin).
/// </para>
/// </remarks>
public static class BankruptcyPrice
{
    /// <summary>The bankruptcy price of <paramref name="position"/> with its pool's equity at <paramref name="poolEquityUsd"/>.</summary>
    /// <param name="position">The position, valued at mark.</param>
    /// <param name="poolEquityUsd">Equity of its pool at mark, USD, unrounded.</param>
    /// <param name="market">Index prices (for the settlement asset).</param>
    public static decimal? Of(PositionValuation position, decimal poolEquityUsd, MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(market);
        var exact = Exact(position, poolEquityUsd, market);
        return exact is { } p
            ? MarginRounding.ToTick(p, position.Instrument.TickSize, up: position.Position.Quantity > 0)
            : null;
    }

    /// <summary>The same price before rounding to the tick.</summary>
    public static decimal? Exact(PositionValuation position, decimal poolEquityUsd, MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(market);
        return Exact(position.Instrument, position.Position.Quantity, position.MarkPrice, poolEquityUsd, market.PriceOf(position.Instrument.SettlementAsset));
    }

    /// <summary>
    /// The price, before rounding, at which closing <paramref name="quantity"/> contracts (signed as the position: positive
    /// for a long) of <paramref name="instrument"/> instead of at <paramref name="markPrice"/> loses exactly
    /// <paramref name="lossUsd"/>; null when no positive price loses that much.
    /// </summary>
    /// <param name="instrument">The instrument closed.</param>
    /// <param name="quantity">Contracts held and closed, signed; zero gives null.</param>
    /// <param name="markPrice">The instrument's mark.</param>
    /// <param name="lossUsd">The loss against the mark, USD (a pool's equity, or the part of it a closing order may spend).</param>
    /// <param name="settlementUsd">The USD price of the instrument's settlement asset.</param>
    public static decimal? Exact(Instrument instrument, decimal quantity, decimal markPrice, decimal lossUsd, decimal settlementUsd)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        if (quantity == 0)
        {
            return null;
        }

        var exposure = quantity * instrument.ContractSize * settlementUsd;
        decimal price;
        if (instrument is not OptionContract && instrument.Settlement == SettlementKind.Inverse)
        {
            var reciprocal = (1m / markPrice) + (lossUsd / exposure);
            if (reciprocal <= 0)
            {
                return null;
            }

            price = 1m / reciprocal;
        }
        else
        {
            price = markPrice - (lossUsd / exposure);
        }

        return price > 0 ? price : null;
    }

    /// <summary>
    /// The price an auto-deleverage round may close <paramref name="position"/> at: <paramref name="price"/> (its
    /// bankruptcy price) held within <paramref name="band"/> of <paramref name="markPrice"/> (mark x (1 +/- band), the
    /// edges on the tick inside the band), except that on the counterparties' side of the mark the bound reaches at least
    /// the position's own entry price (on the tick, in their favour).
    /// </summary>
    /// <remarks>
    /// <para>
    /// A deficit the book deepened, passed on with the few contracts left, puts the bankruptcy price anywhere (session
    /// 23's cluster runs: 50,684,207 with BTC at 42,000; 17,946,190.5 with it at 42,053 in session 24's): counterparties
    /// would be closed at a price the market never traded and made to pay in one fill a loss they did not cause.
    /// </para>
    /// <para>
    /// Closing at its entry price realises nothing on the position: up to there, the counterparties take over the
    /// position's own loss at the mark, which is what auto-deleveraging passes on (a crash's gap, however deep). Beyond it
    /// lies what the account lost elsewhere and has realised already: fills below the bankruptcy price, fees, positions
    /// closed before. That is passed on only within the band around the mark; the rest stays with the account, for the
    /// fund to cover or the operator to see recorded as uncovered.
    /// </para>
    /// </remarks>
    /// <param name="price">The bankruptcy price.</param>
    /// <param name="position">The position closed (its side and entry price).</param>
    /// <param name="markPrice">The instrument's mark, positive.</param>
    /// <param name="band">How far from the mark, in (0, 1).</param>
    /// <param name="tickSize">The instrument's tick, positive.</param>
    public static decimal ForDeleveraging(decimal price, Position position, decimal markPrice, decimal band, decimal tickSize)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(markPrice);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tickSize);
        if (band is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(band), band, "The band must be in (0, 1).");
        }

        var lowest = MarginRounding.ToTick(markPrice * (1 - band), tickSize, up: true);
        var highest = MarginRounding.ToTick(markPrice * (1 + band), tickSize, up: false);
        if (position.Quantity > 0)
        {
            // A bankrupt long sells to its counterparties above the mark.
            highest = Math.Max(highest, MarginRounding.ToTick(position.EntryPrice, tickSize, up: false));
        }
        else
        {
            lowest = Math.Min(lowest, MarginRounding.ToTick(position.EntryPrice, tickSize, up: true));
        }

        return Math.Clamp(price, lowest, highest);
    }

    /// <summary>
    /// The bankruptcy price of the position in <paramref name="symbol"/> of <paramref name="portfolio"/>: its pool is the
    /// cross pool (equity as <paramref name="calculator"/> measures it, before rounding) or, when isolated, its own
    /// margin plus its value.
    /// </summary>
    public static decimal? ForPosition(Portfolio portfolio, string symbol, MarketSnapshot market, MarginCalculator calculator)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(calculator);
        var position = portfolio.Positions.FirstOrDefault(p => p.Symbol == symbol)
            ?? throw new ArgumentException($"{portfolio.AccountId} holds no position in {symbol}.", nameof(symbol));
        var valued = PositionValuation.Of(position, market);
        if (position.IsolatedMargin is { } margin)
        {
            return Of(valued, (margin * market.PriceOf(valued.Instrument.SettlementAsset)) + valued.ValueUsd, market);
        }

        var account = calculator.Assess(portfolio, market);
        return Of(valued, account.CollateralValueUsd + account.UnrealisedPnlUsd + account.OptionValueUsd, market);
    }
}
