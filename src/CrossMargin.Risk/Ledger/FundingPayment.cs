using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Ledger;

/// <summary>One funding settlement of a perpetual position; longs pay shorts when the rate is positive.</summary>
/// <param name="Symbol">The perpetual's symbol.</param>
/// <param name="Asset">The settlement asset the payment is in.</param>
/// <param name="Amount">
/// What the account receives (negative when it pays), in full decimal precision: -q x size x mark x rate for linear
/// perpetuals (quote asset), -q x size / mark x rate for inverse ones (coin). Exactly opposite for a long and a short.
/// </param>
/// <param name="CashFlow">
/// <see cref="Amount"/> booked by <see cref="LedgerRounding.Book"/>: rounded down to 1e-8, so a long and a short of the
/// same size differ by at most one unit, which the venue keeps.
/// </param>
/// <remarks>
/// The inverse formula is BitMEX's: funding = mark value x rate, where the mark value of an inverse contract is in
/// coin, contracts x contract value (USD) / mark (perpetualContractsGuideExamples: long 15,000 XBTUSD at 750, rate
/// 0.25%, pays 20 XBT x 0.25% = 0.05 XBT). Deribit's BTC-PERPETUAL pays the same way on a USD size. Linear perpetuals
/// (Binance USDS-M) pay notional at mark x rate in the quote asset.
/// </remarks>
public sealed record FundingPayment(string Symbol, string Asset, decimal Amount, decimal CashFlow)
{
    /// <summary>
    /// The largest funding rate accepted per settlement, 10%: several times any venue's cap (Binance caps most
    /// perpetuals at a few percent per interval). It rejects garbage such as a rate given in percent (5 for 5%).
    /// </summary>
    public const decimal MaxAbsoluteRate = 0.1m;

    /// <summary>
    /// How far a funding reference price may lie from the live mark, as a fraction of the mark: 50%. No market moves
    /// that far between a funding time and the settlement message that follows it minutes later, while a price in the
    /// wrong unit (cents, satoshis, another pair's) is off by a factor of 100 or more and would move real money by it,
    /// as a rate in percent would.
    /// </summary>
    public const decimal MaxMarkDeviation = 0.5m;

    /// <summary>
    /// The funding <paramref name="position"/> in <paramref name="instrument"/> pays or receives at
    /// <paramref name="markPrice"/> (the venue's funding reference price: the mark on BitMEX and Binance) and
    /// <paramref name="rate"/> (per settlement, 0.0001 = 0.01%).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The instrument is not a perpetual, the position is for another instrument, the mark is not positive, or the rate
    /// exceeds <see cref="MaxAbsoluteRate"/> in magnitude.
    /// </exception>
    public static FundingPayment Of(Position position, Instrument instrument, decimal markPrice, decimal rate)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(instrument);
        if (instrument is not Perpetual)
        {
            throw new ArgumentException($"Funding applies to perpetuals only; {instrument.Symbol} is a {instrument.GetType().Name}.", nameof(instrument));
        }

        if (!string.Equals(position.Symbol, instrument.Symbol, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Position symbol {position.Symbol} does not match instrument {instrument.Symbol}.", nameof(position));
        }

        if (markPrice <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(markPrice), markPrice, $"{instrument.Symbol}: funding mark price must be positive, not {markPrice}.");
        }

        if (Math.Abs(rate) > MaxAbsoluteRate)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"{instrument.Symbol}: funding rate {rate} is beyond +/-{MaxAbsoluteRate} per settlement.");
        }

        // The sign sits on q alone, so a long and a short get bit-for-bit opposite amounts (decimal rounds magnitudes).
        var q = position.Quantity;
        var size = instrument.ContractSize;
        var amount = instrument.Settlement == SettlementKind.Linear
            ? -(q * size * markPrice * rate)
            : -(q * size / markPrice * rate);
        return new FundingPayment(instrument.Symbol, instrument.SettlementAsset, amount, LedgerRounding.Book(amount));
    }
}
