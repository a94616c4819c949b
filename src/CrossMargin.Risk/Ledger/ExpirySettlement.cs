using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Ledger;

/// <summary>
/// The cash settlement of a dated future or an option position at its expiry, at the settlement (delivery) price of its
/// underlying: the position ends and the account is paid what it was worth at that price.
/// </summary>
/// <param name="Symbol">The expired instrument's symbol.</param>
/// <param name="Asset">The settlement asset the payment is in.</param>
/// <param name="Amount">
/// What the account receives (negative when it pays), in full decimal precision. Futures: the P&amp;L of closing at the
/// settlement price, exactly as <see cref="TradeAccounting.Realized"/> computes it (linear: q x size x (S - entry) in
/// the quote asset; inverse: q x size x (1/entry - 1/S) in coin). Options: q x size x intrinsic value, where intrinsic
/// is max(S - K, 0) for a call and max(K - S, 0) for a put, in the quote asset when linear and divided by S (in coin)
/// when inverse; an option out of the money pays nothing. The premium moved in cash at trade time, so nothing else is due.
/// </param>
/// <param name="CashFlow">
/// <see cref="Amount"/> booked by <see cref="LedgerRounding.Book"/> (down to 1e-8), so a long and a short of the same
/// size differ by at most one unit, which the venue keeps.
/// </param>
/// <param name="ReleasedIsolatedMargin">The position's isolated margin, all of it returned to the wallet (zero for a cross position).</param>
public sealed record ExpirySettlement(string Symbol, string Asset, decimal Amount, decimal CashFlow, decimal ReleasedIsolatedMargin)
{
    /// <summary>
    /// How far a settlement price may lie from the underlying's index, as a fraction of the index: 20%. A settlement
    /// price is the venue's average of that very index over the minutes before expiry, so it is near the index a message
    /// later; a price in the wrong unit or of another underlying is off by a factor of several (ETH for BTC: 20x), and
    /// would move every holder's money by it.
    /// </summary>
    public const decimal MaxIndexDeviation = 0.2m;

    /// <summary>The total change of the wallet balance in <see cref="Asset"/>: the booked payment plus the released margin.</summary>
    public decimal BalanceChange => CashFlow + ReleasedIsolatedMargin;

    /// <summary>The settlement of <paramref name="position"/> in <paramref name="instrument"/> at <paramref name="settlementPrice"/>.</summary>
    /// <param name="position">The position held at expiry (any quantity; zero settles to nothing but its margin).</param>
    /// <param name="instrument">A dated future or an option.</param>
    /// <param name="settlementPrice">The underlying's settlement price, in the quote asset per unit of underlying; positive.</param>
    /// <exception cref="ArgumentException">
    /// The instrument is a perpetual, the position is for another instrument, the price is not positive, or a future
    /// position's entry is not positive.
    /// </exception>
    public static ExpirySettlement Of(Position position, Instrument instrument, decimal settlementPrice)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(instrument);
        if (instrument.Expiry is null)
        {
            throw new ArgumentException($"{instrument.Symbol} is a perpetual: it never expires, so it never settles.", nameof(instrument));
        }

        if (!string.Equals(position.Symbol, instrument.Symbol, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Position symbol {position.Symbol} does not match instrument {instrument.Symbol}.", nameof(position));
        }

        if (settlementPrice <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(settlementPrice), settlementPrice, $"{instrument.Symbol}: settlement price must be positive, not {settlementPrice}.");
        }

        var q = position.Quantity;
        decimal amount;
        if (instrument is OptionContract option)
        {
            var intrinsic = option.Kind == OptionKind.Call ? Math.Max(settlementPrice - option.Strike, 0m) : Math.Max(option.Strike - settlementPrice, 0m);
            // The sign sits on q alone, so a long and a short get bit-for-bit opposite amounts (decimal rounds magnitudes).
            amount = option.Settlement == SettlementKind.Inverse
                ? q * option.ContractSize * (intrinsic / settlementPrice)
                : q * option.ContractSize * intrinsic;
        }
        else if (q == 0)
        {
            amount = 0m;
        }
        else
        {
            if (position.EntryPrice <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(position), position.EntryPrice, $"{position.Symbol}: position entry price must be positive, not {position.EntryPrice}.");
            }

            amount = TradeAccounting.Realized(instrument, q, position.EntryPrice, settlementPrice);
        }

        return new ExpirySettlement(instrument.Symbol, instrument.SettlementAsset, amount, LedgerRounding.Book(amount), position.IsolatedMargin ?? 0m);
    }

    /// <summary>
    /// The estimate of <paramref name="instrument"/>'s settlement price in <paramref name="market"/> until the venue sends
    /// its own: the underlying's index in the instrument's quote asset (index / quote asset's price). Also what a venue's
    /// settlement price is checked against (<see cref="MaxIndexDeviation"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The market lacks the underlying's or the quote asset's price.</exception>
    public static decimal IndexPrice(Instrument instrument, MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(market);
        return market.PriceOf(instrument.Underlying) / market.PriceOf(instrument.QuoteAsset);
    }

    /// <summary>
    /// <paramref name="portfolio"/> as it would be were each of its positions in an instrument that has expired in
    /// <paramref name="market"/> settled at its underlying's index there (in the quote asset: index / quote asset's price),
    /// with its orders in expired instruments dropped; null when it holds nothing expired. What an account is worth
    /// between an expiry and the venue's settlement, as the account margins itself (a what-if: nothing is booked).
    /// </summary>
    /// <exception cref="ArgumentException">The market lacks the index of an expired holding's underlying or quote asset.</exception>
    public static Portfolio? AtIndex(Portfolio portfolio, MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(market);
        if (!market.HasExpired
            || !portfolio.Positions.Any(p => market.FindExpired(p.Symbol) is not null) && !portfolio.OpenOrders.Any(o => market.FindExpired(o.Symbol) is not null))
        {
            return null;
        }

        var balances = portfolio.Balances.ToDictionary(b => b.Asset, b => b.Amount, StringComparer.Ordinal);
        var positions = new List<Position>(portfolio.Positions.Count);
        foreach (var position in portfolio.Positions)
        {
            if (market.FindExpired(position.Symbol) is not { } instrument)
            {
                positions.Add(position);
                continue;
            }

            var settlement = Of(position, instrument, IndexPrice(instrument, market));
            balances[settlement.Asset] = balances.GetValueOrDefault(settlement.Asset) + settlement.BalanceChange;
        }

        return new Portfolio(portfolio.AccountId, portfolio.Balances.Select(b => b.Asset).Concat(balances.Keys).Distinct(StringComparer.Ordinal)
                .Select(asset => new CollateralBalance(asset, balances[asset])),
            positions, portfolio.OpenOrders.Where(o => market.FindExpired(o.Symbol) is null));
    }
}
