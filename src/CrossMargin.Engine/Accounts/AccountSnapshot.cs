using System.Text.Json.Serialization;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Accounts;

/// <summary>The whole state of an account, serializable: what its snapshot store keeps. Collections are ordered by key (ordinal).</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Mode">The cross pool's margin mode.</param>
/// <param name="Balances">Wallet balances by asset.</param>
/// <param name="Positions">Positions by symbol (flat isolated positions keep their margin).</param>
/// <param name="OpenOrders">Resting orders by order id, with their unfilled quantity.</param>
/// <param name="Messages">Deduplication state.</param>
/// <param name="IsOpen">Whether the account was opened.</param>
/// <param name="SettledExpiries">The expired instruments the account was settled for, by symbol; null when none (and in snapshots written before it was kept).</param>
/// <param name="SettledAt">
/// The venue's settlement price of each of <paramref name="SettledExpiries"/> the account was settled at, where known; null
/// when none (and in snapshots written before it was kept). Beside the symbols, not in their place, so that a node of the
/// version before still reads which the account was settled for.
/// </param>
public sealed record AccountSnapshot(
    string AccountId,
    MarginMode Mode,
    IReadOnlyList<CollateralBalance> Balances,
    IReadOnlyList<Position> Positions,
    IReadOnlyList<OpenOrder> OpenOrders,
    MessageLedgerSnapshot Messages,
    bool IsOpen = true,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? SettledExpiries = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<SettledExpiry>? SettledAt = null);
