using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Liquidation;

/// <summary>
/// A forced order: reduce-only and immediate-or-cancel, so it can only shrink the position and never rests on the book.
/// </summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">Sell to reduce a long, buy to reduce a short.</param>
/// <param name="Quantity">Contracts, positive, on the symbol's quantity increment (or the whole position).</param>
/// <param name="LimitPrice">Worst acceptable price, on the tick, within the slippage band of the mark.</param>
/// <param name="GroupKey">The <see cref="LiquidationGroup.Key"/> it belongs to; orders of one group go out together.</param>
/// <param name="Fee">The liquidation fee if it fills in full (at the mark).</param>
/// <param name="Bound">
/// Set on the orders of a step that closes the account's last positions, when the caller gave a fund allowance: what the
/// order may lose, against which its fee is charged after the fill. Null: the fee was capped when planned, and that is all.
/// </param>
public sealed record LiquidationOrder(
    string Symbol, OrderSide Side, decimal Quantity, decimal LimitPrice, string GroupKey, LiquidationFee Fee, LiquidationLossBound? Bound = null)
{
    /// <summary>Always true: the venue must reject any part that would grow or flip the position.</summary>
    public bool ReduceOnly { get; } = true;

    /// <summary>Always true: what does not fill at once is cancelled, and the next step re-plans from the new state.</summary>
    public bool ImmediateOrCancel { get; } = true;

    /// <summary>The signed change in position if the order fills.</summary>
    public decimal SignedQuantity => Side == OrderSide.Buy ? Quantity : -Quantity;
}
