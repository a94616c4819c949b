using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Liquidation;

/// <summary>
/// The fee charged on a liquidation fill, paid in the instrument's settlement asset to the insurance fund.
/// </summary>
/// <remarks>
/// fee = rate x closed notional (USD, as <see cref="PositionValuation"/> measures notional), capped by the equity the
/// account has left above bankruptcy, so a fee never makes an account bankrupt or deepens its deficit: the fund would
/// only be paying itself. An option's notional is its underlying's, so for an option far out of the money the rate alone
/// could charge more than the option is worth (0.5% of 60,000 is 300 USD on a 5 USD option): an option's fee is also
/// capped at a fraction of the closed options' value at mark (<see cref="LiquidationParameters.OptionFeeCapOfValue"/>, by
/// default <see cref="OptionFeeCapOfValue"/>, as Deribit caps its option fees). The USD fee is rounded down to the cent and converted to the settlement asset booked down
/// (<see cref="LedgerRounding.Book"/>), so both roundings favour the account and the amount never exceeds the cap.
/// </remarks>
/// <param name="Symbol">The instrument.</param>
/// <param name="Asset">The settlement asset the fee is paid in.</param>
/// <param name="Amount">The fee in <paramref name="Asset"/>, booked (what moves the balances).</param>
/// <param name="AmountUsd">The fee in USD, to the cent.</param>
/// <param name="UncappedUsd">rate x closed notional, before the cap and rounding.</param>
public sealed record LiquidationFee(string Symbol, string Asset, decimal Amount, decimal AmountUsd, decimal UncappedUsd)
{
    /// <summary>
    /// The default of the most an option's fee may be, as a fraction of the closed options' value at mark: 12.5%, Deribit's
    /// cap on option fees (<see cref="LiquidationParameters.OptionFeeCapOfValue"/> sets it).
    /// </summary>
    public const decimal OptionFeeCapOfValue = 0.125m;

    /// <summary>True when a cap (the equity's, or an option's value's) reduced the fee.</summary>
    public bool Capped => AmountUsd < MarginRounding.Equity(UncappedUsd);

    /// <summary>The fee on closing <paramref name="closedQuantity"/> contracts of <paramref name="instrument"/>.</summary>
    /// <param name="instrument">The instrument closed.</param>
    /// <param name="closedQuantity">Contracts closed, zero or positive.</param>
    /// <param name="market">Marks and index prices.</param>
    /// <param name="feeRate">Fraction of notional.</param>
    /// <param name="equityAboveBankruptcyUsd">Equity of the pool that is left above zero; a negative value counts as zero.</param>
    /// <param name="optionFeeCapOfValue">For an option, the most the fee may be as a fraction of the closed options' value at mark.</param>
    public static LiquidationFee Compute(Instrument instrument, decimal closedQuantity, MarketSnapshot market, decimal feeRate, decimal equityAboveBankruptcyUsd,
        decimal optionFeeCapOfValue = OptionFeeCapOfValue)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentOutOfRangeException.ThrowIfNegative(closedQuantity);
        ArgumentOutOfRangeException.ThrowIfNegative(feeRate);
        var mark = market.MarkOf(instrument.Symbol).MarkPrice;
        var closed = closedQuantity == 0 ? null : PositionValuation.Of(new Position(instrument.Symbol, closedQuantity, mark), market);
        var uncapped = feeRate * (closed?.NotionalUsd ?? 0m);
        var cap = Math.Max(0m, equityAboveBankruptcyUsd);
        if (instrument is OptionContract && closed is not null)
        {
            cap = Math.Min(cap, optionFeeCapOfValue * Math.Abs(closed.ValueUsd));
        }

        var usd = MarginRounding.Equity(Math.Min(uncapped, cap));
        var amount = LedgerRounding.Book(usd / market.PriceOf(instrument.SettlementAsset));
        return new LiquidationFee(instrument.Symbol, instrument.SettlementAsset, amount, usd, uncapped);
    }
}
