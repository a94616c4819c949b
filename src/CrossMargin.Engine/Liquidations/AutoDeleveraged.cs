using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// Published on the event stream as each account an auto-deleverage fill touched (a counterparty, the bankrupt account)
/// applies its side: never for a side that did not apply, possibly again for one after the coordinator restarts.
/// </summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="AccountId">The account notified.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">That account's side of the fill.</param>
/// <param name="Quantity">Contracts.</param>
/// <param name="Price">The bankruptcy price.</param>
/// <param name="ExecutionId">
/// The message id of the execution that applied this side: one per side of each fill, so a notice published again
/// after a restart carries the same one and a consumer can drop the repeat by it.
/// </param>
public sealed record AutoDeleveraged(string LiquidationId, string AccountId, string Symbol, OrderSide Side, decimal Quantity, decimal Price, string ExecutionId);
