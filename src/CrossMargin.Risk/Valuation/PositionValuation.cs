using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Valuation;

/// <summary>A position valued at its mark, in its settlement asset and in USD.</summary>
/// <param name="Position">The position.</param>
/// <param name="Instrument">Its instrument.</param>
/// <param name="MarkPrice">The instrument's mark.</param>
/// <param name="NotionalUsd">
/// Absolute exposure in USD: |q| x size x mark x quote price for linear futures, |q| x size x quote price for inverse
/// futures (their size is in the quote asset), |q| x size x underlying index for options.
/// </param>
/// <param name="Value">
/// What the position adds to equity, in its settlement asset: unrealised P&amp;L for futures, mark value (negative
/// when short) for options.
/// </param>
/// <param name="ValueUsd">The same in USD, at the settlement asset's index price.</param>
public sealed record PositionValuation(
    Position Position, Instrument Instrument, decimal MarkPrice, decimal NotionalUsd, decimal Value, decimal ValueUsd)
{
    /// <summary>Values <paramref name="position"/> at the marks of <paramref name="market"/>.</summary>
    public static PositionValuation Of(Position position, MarketSnapshot market)
    {
        var instrument = market.GetInstrument(position.Symbol);
        var mark = market.MarkOf(position.Symbol).MarkPrice;
        var q = position.Quantity;
        var size = instrument.ContractSize;
        var settlementPrice = market.PriceOf(instrument.SettlementAsset);
        decimal value;
        decimal notional;
        switch (instrument)
        {
            case OptionContract:
                value = q * size * mark;
                notional = Math.Abs(q) * size * market.PriceOf(instrument.Underlying);
                break;
            case { Settlement: SettlementKind.Linear }:
                value = q * size * (mark - position.EntryPrice);
                notional = Math.Abs(q) * size * mark * market.PriceOf(instrument.QuoteAsset);
                break;
            default:
                if (position.EntryPrice <= 0 || mark <= 0)
                {
                    throw new ArgumentException($"{instrument.Symbol}: an inverse future needs positive entry and mark prices.");
                }

                // Inverse P&L in coin: q x size x (1/entry - 1/mark).
                value = (q * size / position.EntryPrice) - (q * size / mark);
                notional = Math.Abs(q) * size * market.PriceOf(instrument.QuoteAsset);
                break;
        }

        return new PositionValuation(position, instrument, mark, notional, value, value * settlementPrice);
    }
}
