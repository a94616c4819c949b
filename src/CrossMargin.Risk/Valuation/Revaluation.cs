using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Risk.Valuation;

/// <summary>
/// Full revaluation of one holding when its underlying moves by a factor and its implied volatility by a number of
/// points: the USD change in what the holding adds to equity. Options are repriced with Black-76 on the shocked
/// forward at the same time to expiry (sticky strike); futures move with the forward. Used by stress, reverse stress,
/// historical simulation and the sensitivities of the SIMM-style model, so they all agree on what a move costs.
/// </summary>
public static class Revaluation
{
    /// <summary>The lowest volatility a vol shock can leave (1 point): Black-76 needs a positive vol.</summary>
    public const double MinimumVolatility = 0.01;

    /// <summary>
    /// USD change in value of <paramref name="quantity"/> contracts of <paramref name="instrument"/> (entered at
    /// <paramref name="entryPrice"/>, which only inverse futures need) when the underlying's index, forwards and
    /// marks are multiplied by <paramref name="spotFactor"/> and each vol becomes vol x <paramref name="volFactor"/> +
    /// <paramref name="volShift"/>. Quote and settlement stablecoins keep their prices.
    /// </summary>
    public static double PnlUsd(Instrument instrument, double quantity, decimal entryPrice, MarketSnapshot market, double spotFactor, double volShift, double volFactor = 1)
    {
        if (!(spotFactor > 0) || !double.IsFinite(spotFactor))
        {
            throw new ArgumentOutOfRangeException(nameof(spotFactor), spotFactor, "A price factor must be positive and finite (a move above -100%).");
        }

        var size = (double)instrument.ContractSize;
        switch (instrument)
        {
            case OptionContract option:
            {
                var o = market.OptionInputsOf(option.Symbol);
                var change = OptionValueChange(option, o, spotFactor, volShift, volFactor);
                return option.Settlement == SettlementKind.Linear
                    ? quantity * size * change * (double)market.PriceOf(option.QuoteAsset)
                    // Coin value V/F at index S is worth S x V/F; after the move (V'/(F f)) x S f: the f cancels.
                    : quantity * size * change * (double)market.PriceOf(option.Underlying) / o.Forward;
            }

            case { Settlement: SettlementKind.Linear }:
                return quantity * size * (double)market.MarkOf(instrument.Symbol).MarkPrice * (spotFactor - 1) * (double)market.PriceOf(instrument.QuoteAsset);

            default:
                // Coin P&L q x size x (1/entry - 1/mark) at index S becomes q x size x (S f/entry - S/mark): only the
                // coin already accrued against entry is revalued, by S (f - 1)/entry per unit.
                if (entryPrice <= 0)
                {
                    throw new ArgumentException($"{instrument.Symbol}: an inverse future needs a positive entry price.", nameof(entryPrice));
                }

                return quantity * size * (double)market.PriceOf(instrument.Underlying) * (spotFactor - 1) / (double)entryPrice;
        }
    }

    /// <summary>Black-76 value after the shock less the value before, per unit of underlying, in the quote unit.</summary>
    public static double OptionValueChange(OptionContract option, OptionInputs inputs, double spotFactor, double volShift, double volFactor = 1)
    {
        var strike = (double)option.Strike;
        var before = Black76.Price(option.Kind, inputs.Forward, strike, inputs.Years, inputs.Volatility, inputs.Rate);
        var after = Black76.Price(option.Kind, inputs.Forward * spotFactor, strike, inputs.Years, ShockedVolatility(inputs.Volatility, volShift, volFactor), inputs.Rate);
        return after - before;
    }

    /// <summary>
    /// The vol after scaling by <paramref name="volFactor"/> and a shift of <paramref name="volShift"/>, floored at
    /// <see cref="MinimumVolatility"/>.
    /// </summary>
    public static double ShockedVolatility(double volatility, double volShift, double volFactor = 1)
    {
        if (!(volFactor > 0) || !double.IsFinite(volFactor))
        {
            throw new ArgumentOutOfRangeException(nameof(volFactor), volFactor, "A vol factor must be positive and finite.");
        }

        return Math.Max((volatility * volFactor) + volShift, MinimumVolatility);
    }
}
