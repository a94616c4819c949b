using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Liquidation;

/// <summary>A forced fill of auto-deleveraging: the counterparty's side; the bankrupt account takes the opposite.</summary>
/// <param name="AccountId">The deleveraged account.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">The deleveraged account's side (it reduces its position).</param>
/// <param name="Quantity">Contracts, positive.</param>
/// <param name="Price">The bankrupt position's bankruptcy price.</param>
/// <param name="Score">The candidate's ranking score (profit % x effective leverage in profit, profit % / effective leverage not).</param>
public sealed record AdlFill(string AccountId, string Symbol, OrderSide Side, decimal Quantity, decimal Price, decimal Score);
