using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Liquidations;

/// <summary>One reduce-only IOC order of a step, as issued.</summary>
/// <param name="OrderId">"{liquidation}-s{step}-{n}".</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">Sell to reduce a long, buy to reduce a short.</param>
/// <param name="Quantity">Contracts.</param>
/// <param name="LimitPrice">Worst acceptable price.</param>
/// <param name="FeeAsset">The asset its liquidation fee is paid in.</param>
/// <param name="FeeAmount">The planned fee if it fills in full, in <paramref name="FeeAsset"/>.</param>
/// <param name="FeeUsd">The same in USD: the cap of the fee charged on its fills.</param>
/// <param name="Bound">
/// An order of a step that closes the account's last positions: the mark and the equity share its fills' slippage is
/// charged against before the fee, and the fund share set aside for it. Null in orders without one (and in events written
/// before it was recorded): the fee is capped by <paramref name="FeeUsd"/> alone.
/// </param>
public sealed record IssuedLiquidationOrder(
    string OrderId, string Symbol, OrderSide Side, decimal Quantity, decimal LimitPrice, string FeeAsset, decimal FeeAmount, decimal FeeUsd,
    LiquidationLossBound? Bound = null);
