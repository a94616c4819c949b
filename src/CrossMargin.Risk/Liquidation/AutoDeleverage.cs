using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Liquidation;

/// <summary>
/// Auto-deleveraging: when the insurance fund cannot absorb a bankrupt position, it is closed against the most
/// profitable, most leveraged opposite positions of other accounts, at its bankruptcy price; as a last resort
/// (<see cref="AdlReach.All"/>) against those not in profit too, the least losing per unit of leverage first.
/// </summary>
/// <remarks>
/// <para>
/// score = profit % x effective leverage, with profit % = unrealised P&amp;L (USD, at mark) / |entry notional| and
/// effective leverage = |notional| (USD, as <see cref="PositionValuation"/> measures it) / account equity. Entry
/// notional is |q| x c x entry x settlement-asset price for linear futures and options, and |q| x c x quote price
/// (the constant USD face) for inverse futures. P&amp;L is <see cref="TradeAccounting.Realized"/> at the mark, in USD.
/// A position not in profit (P&amp;L &lt;= 0) scores profit % / effective leverage, as Binance and Bybit rank them: zero
/// or below, so every position in profit ranks before every one not in profit; among those, the smallest loss per unit
/// of leverage first (a highly leveraged loser gives up its position before a barely leveraged one losing as much).
/// </para>
/// <para>
/// Only positions opposite to the bankrupt one, in its instrument, in profit (any, with <see cref="AdlReach.All"/>), of
/// accounts with positive equity, and not of the bankrupt account itself are candidates. Highest score first; equal
/// scores by account id, ordinal. The
/// quantity is allocated in that order, each candidate giving up to its whole position, so the fills add up exactly
/// to the quantity asked or to everything available, whichever is less. Quantities are not rounded: they are parts of
/// existing positions and of the bankrupt quantity, already on their increments, except that every fill is held to
/// whole lots of the instrument (a counterparty's position off the lot gives its part on the lot).
/// </para>
/// <para>
/// A counterparty never gives more than its equity bears: where the bankruptcy price is worse for it than the mark (a
/// bankrupt account's deficit moves it past the mark), closing there loses the difference, and an account with little
/// equity left would itself go bankrupt, with no position left to pass that deficit on with. Given a quantity increment,
/// its part is cut to what its equity covers at that price, down to the increment (none if less than one).
/// </para>
/// <para>
/// Nor is a counterparty left below its maintenance margin, when the caller can tell (<c>keepsMaintenance</c>): cut to
/// its equity alone, a counterparty that keeps part of its position (or was already close to its maintenance margin)
/// would be liquidated in turn, and a round at a loss reaches exactly those; a cascade is what liquidation must not set
/// off. Its part is then the largest number of increments it can give and stay at or above its maintenance margin
/// (none if not one), found by halving on the assumption that giving less never leaves it worse off; only a quantity the
/// caller has checked is given.
/// </para>
/// </remarks>
public static class AutoDeleverage
{
    /// <summary>The candidates that qualify, best first, with their scores.</summary>
    /// <param name="bankruptAccountId">The bankrupt account, never its own counterparty.</param>
    /// <param name="bankruptPosition">The position deleveraged.</param>
    /// <param name="candidates">Other accounts' positions in the instrument, with their equity.</param>
    /// <param name="market">Marks and index prices.</param>
    /// <param name="reach">Whether positions not in profit qualify too (after every one in profit).</param>
    public static IReadOnlyList<(AdlCandidate Candidate, decimal Score)> Rank(
        string bankruptAccountId, Position bankruptPosition, IEnumerable<AdlCandidate> candidates, MarketSnapshot market,
        AdlReach reach = AdlReach.InProfit)
    {
        ArgumentNullException.ThrowIfNull(bankruptPosition);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(market);
        if (bankruptPosition.Quantity == 0)
        {
            return [];
        }

        var instrument = market.GetInstrument(bankruptPosition.Symbol);
        return candidates
            .Where(c => c.Position.Symbol == bankruptPosition.Symbol
                        && c.AccountId != bankruptAccountId
                        && Math.Sign(c.Position.Quantity) == -Math.Sign(bankruptPosition.Quantity)
                        && c.AccountEquityUsd > 0)
            .Select(c => (Candidate: c, Score: Score(c, instrument, market, reach)))
            .Where(s => s.Score is not null)
            .Select(s => (s.Candidate, Score: s.Score!.Value))
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Candidate.AccountId, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// Closes up to <paramref name="quantity"/> contracts (positive) of <paramref name="bankruptPosition"/> against the
    /// ranked candidates at <paramref name="bankruptcyPrice"/>.
    /// </summary>
    public static IReadOnlyList<AdlFill> Allocate(string bankruptAccountId, Position bankruptPosition, decimal quantity,
        decimal bankruptcyPrice, IEnumerable<AdlCandidate> candidates, MarketSnapshot market) =>
        Allocate(bankruptAccountId, bankruptPosition, quantity, bankruptcyPrice, candidates, market, quantityIncrement: null);

    /// <summary>
    /// Closes up to <paramref name="quantity"/> contracts (positive) of <paramref name="bankruptPosition"/> against the
    /// ranked candidates at <paramref name="bankruptcyPrice"/>, none beyond what its equity bears (see the remarks).
    /// </summary>
    /// <param name="bankruptAccountId">The bankrupt account, never its own counterparty.</param>
    /// <param name="bankruptPosition">The position deleveraged.</param>
    /// <param name="quantity">Contracts to close, positive.</param>
    /// <param name="bankruptcyPrice">The price every fill is at.</param>
    /// <param name="candidates">Other accounts' positions in the instrument, with their equity.</param>
    /// <param name="market">Marks and index prices.</param>
    /// <param name="quantityIncrement">The instrument's quantity increment; null: a counterparty whose whole part its equity does not bear gives none.</param>
    /// <param name="reach">Whether positions not in profit are closed too (after every one in profit).</param>
    /// <param name="keepsMaintenance">
    /// Whether a candidate that gives this many contracts at the bankruptcy price keeps its equity at or above its
    /// maintenance margin; null: not checked (the equity cap alone).
    /// </param>
    public static IReadOnlyList<AdlFill> Allocate(string bankruptAccountId, Position bankruptPosition, decimal quantity,
        decimal bankruptcyPrice, IEnumerable<AdlCandidate> candidates, MarketSnapshot market, decimal? quantityIncrement,
        AdlReach reach = AdlReach.InProfit, Func<AdlCandidate, decimal, bool>? keepsMaintenance = null)
    {
        ArgumentNullException.ThrowIfNull(bankruptPosition);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentOutOfRangeException.ThrowIfNegative(quantity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bankruptcyPrice);
        var fills = new List<AdlFill>();
        var remaining = quantity;
        var instrument = market.GetInstrument(bankruptPosition.Symbol);
        var mark = market.MarkOf(bankruptPosition.Symbol).MarkPrice;
        var settlementUsd = market.PriceOf(instrument.SettlementAsset);
        foreach (var (candidate, score) in Rank(bankruptAccountId, bankruptPosition, candidates, market, reach))
        {
            if (remaining == 0)
            {
                break;
            }

            // Whole lots only: a counterparty's position off the lot gives the part of it on the lot, as its side of a
            // fill off the lot would be refused (only a fill closing its whole position is booked off the lot, and the
            // bankrupt side of that one would not be).
            var take = instrument.WholeLotsOf(Math.Min(remaining, Math.Abs(candidate.Position.Quantity)));
            if (take <= 0)
            {
                continue;
            }

            var side = candidate.Position.Quantity > 0 ? OrderSide.Sell : OrderSide.Buy;
            var lossPerContract = LiquidationSlippage.LossUsd(instrument, side, 1m, mark, bankruptcyPrice, settlementUsd);
            if (lossPerContract > 0 && take * lossPerContract > candidate.AccountEquityUsd)
            {
                take = quantityIncrement is { } lot && lot > 0
                    ? Math.Floor(candidate.AccountEquityUsd / lossPerContract / lot) * lot
                    : 0m;
                if (take <= 0)
                {
                    continue;
                }
            }

            if (keepsMaintenance is not null && !keepsMaintenance(candidate, take))
            {
                take = quantityIncrement is { } lot && lot > 0 ? LargestKeepingMaintenance(candidate, take, lot, keepsMaintenance) : 0m;
                if (take <= 0)
                {
                    continue;
                }
            }

            fills.Add(new AdlFill(candidate.AccountId, bankruptPosition.Symbol, side, take, bankruptcyPrice, score));
            remaining -= take;
        }

        return fills;
    }

    /// <summary>
    /// The largest multiple of <paramref name="lot"/> below <paramref name="most"/> (which does not keep it) that keeps
    /// <paramref name="candidate"/> at or above its maintenance margin; zero when not even one lot does.
    /// </summary>
    private static decimal LargestKeepingMaintenance(AdlCandidate candidate, decimal most, decimal lot, Func<AdlCandidate, decimal, bool> keepsMaintenance)
    {
        // Invariant: `kept` lots keep it (zero trivially), `failed` lots do not.
        var kept = 0m;
        var failed = Math.Ceiling(most / lot);
        while (failed - kept > 1)
        {
            var middle = Math.Floor((kept + failed) / 2);
            if (keepsMaintenance(candidate, middle * lot))
            {
                kept = middle;
            }
            else
            {
                failed = middle;
            }
        }

        return kept * lot;
    }

    private static decimal? Score(AdlCandidate candidate, Instrument instrument, MarketSnapshot market, AdlReach reach)
    {
        var position = candidate.Position;
        var valued = PositionValuation.Of(position, market);
        var pnlUsd = TradeAccounting.Realized(instrument, position.Quantity, position.EntryPrice, valued.MarkPrice)
                     * market.PriceOf(instrument.SettlementAsset);
        var entryNotional = instrument is not OptionContract && instrument.Settlement == SettlementKind.Inverse
            ? Math.Abs(position.Quantity) * instrument.ContractSize * market.PriceOf(instrument.QuoteAsset)
            : Math.Abs(position.Quantity) * instrument.ContractSize * position.EntryPrice * market.PriceOf(instrument.SettlementAsset);
        var leverage = valued.NotionalUsd / candidate.AccountEquityUsd;
        if (entryNotional <= 0 || leverage <= 0)
        {
            return null;
        }

        var pnlRatio = pnlUsd / entryNotional;
        return pnlRatio > 0 ? pnlRatio * leverage
            : reach == AdlReach.All ? pnlRatio / leverage
            : null;
    }
}
