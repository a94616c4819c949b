using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Liquidation;

/// <summary>What a closing fill loses against the mark, USD: the part of a liquidation's loss the book, not the market, causes.</summary>
/// <remarks>
/// Linear futures and options: q x c x s x (M - P) for a sell, (P - M) for a buy; inverse futures: q x c x s x (1/P - 1/M)
/// for a sell, (1/M - 1/P) for a buy (c the contract size, s the settlement asset's USD price). Negative when the fill is
/// better than the mark.
/// </remarks>
public static class LiquidationSlippage
{
    /// <summary>The loss of closing <paramref name="quantity"/> contracts with a <paramref name="side"/> at <paramref name="price"/> instead of <paramref name="markPrice"/>.</summary>
    /// <param name="instrument">The instrument.</param>
    /// <param name="side">Sell to close a long, buy to close a short.</param>
    /// <param name="quantity">Contracts, zero or positive.</param>
    /// <param name="markPrice">The mark, positive.</param>
    /// <param name="price">The fill (or limit) price, positive.</param>
    /// <param name="settlementUsd">The USD price of the settlement asset.</param>
    public static decimal LossUsd(Instrument instrument, OrderSide side, decimal quantity, decimal markPrice, decimal price, decimal settlementUsd)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(markPrice);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(price);
        var exposure = quantity * instrument.ContractSize * settlementUsd;
        var difference = instrument is not OptionContract && instrument.Settlement == SettlementKind.Inverse
            ? (1m / price) - (1m / markPrice)
            : markPrice - price;
        return side == OrderSide.Sell ? exposure * difference : -exposure * difference;
    }
}
