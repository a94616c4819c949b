namespace CrossMargin.Node.Accounts;

/// <summary>An account still holding an expired instrument the venue has not settled it for.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Quantity">Its position (signed; zero when it holds only orders in the instrument).</param>
/// <param name="EntryPrice">The position's entry price; zero when it holds only orders.</param>
/// <param name="OpenOrders">How many of its resting orders are in the instrument (dropped by the settlement).</param>
public sealed record UnsettledHolder(string AccountId, decimal Quantity, decimal EntryPrice, int OpenOrders);
