using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// Published on the event stream for the venue adapter: send this reduce-only IOC order for the account. The venue
/// answers the coordinator with a <see cref="LiquidationOrderReport"/> after the account has acknowledged the fill's
/// <c>ApplyExecution</c> (flagged as a liquidation), so the next step sees it.
/// </summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="AccountId">The account.</param>
/// <param name="OrderId">The order's id: unique, the venue's deduplication key.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Quantity">Contracts.</param>
/// <param name="LimitPrice">Worst acceptable price.</param>
/// <param name="ReduceOnly">Always true.</param>
/// <param name="ImmediateOrCancel">Always true.</param>
/// <param name="ClosesPosition">
/// True when <paramref name="Quantity"/> is not a whole number of the instrument's lots: it is then the account's whole
/// position (off the lot since it was booked before lots were enforced, or since the market file changed the lot), and
/// must go to the venue as its close-position order, the only order a matching engine fills off its lot. Every other
/// liquidation order is a whole number of lots.
/// </param>
public sealed record LiquidationOrderIssued(
    string LiquidationId, string AccountId, string OrderId, string Symbol, OrderSide Side, decimal Quantity, decimal LimitPrice, bool ReduceOnly = true,
    bool ImmediateOrCancel = true, bool ClosesPosition = false);
