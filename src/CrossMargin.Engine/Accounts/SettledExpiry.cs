namespace CrossMargin.Engine.Accounts;

/// <summary>An expired instrument the venue settled an account for (<see cref="ExpirySettled"/>), and at what price.</summary>
/// <param name="Symbol">The expired instrument.</param>
/// <param name="SettlementPrice">
/// The venue's settlement price of its underlying the account was settled at; null when not known (settled before the
/// price was kept, and restored from a snapshot written then).
/// </param>
public sealed record SettledExpiry(string Symbol, decimal? SettlementPrice);
