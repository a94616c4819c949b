using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Liquidation;

/// <summary>Another account's position that auto-deleveraging may close.</summary>
/// <param name="AccountId">The account holding it.</param>
/// <param name="Position">The position, in the bankrupt position's instrument.</param>
/// <param name="AccountEquityUsd">The equity of the account (of its pool, for an isolated position), USD.</param>
public sealed record AdlCandidate(string AccountId, Position Position, decimal AccountEquityUsd);
