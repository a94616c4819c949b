using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Liquidations;

/// <summary>Published on the event stream for each account an auto-deleverage fill touched (counterparties and the bankrupt account).</summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="AccountId">The account notified.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">That account's side of the fill.</param>
/// <param name="Quantity">Contracts.</param>
/// <param name="Price">The bankruptcy price.</param>
public sealed record AutoDeleveraged(string LiquidationId, string AccountId, string Symbol, OrderSide Side, decimal Quantity, decimal Price);
