using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Accounts;

/// <summary>An immutable picture of an account, as its actor holds it.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Mode">The cross pool's margin mode.</param>
/// <param name="Balances">Wallet balances, by asset (ordinal).</param>
/// <param name="Positions">Positions, by symbol.</param>
/// <param name="OpenOrders">Resting orders, by order id.</param>
/// <param name="Margin">The latest assessment (equity, IM, MM, available, status, margin ratio, valuation time), or null when none succeeded yet.</param>
public sealed record AccountView(
    string AccountId,
    MarginMode Mode,
    IReadOnlyList<CollateralBalance> Balances,
    IReadOnlyList<Position> Positions,
    IReadOnlyList<OpenOrder> OpenOrders,
    MarginSummary? Margin);
