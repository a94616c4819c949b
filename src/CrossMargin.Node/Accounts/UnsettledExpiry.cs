namespace CrossMargin.Node.Accounts;

/// <summary>An expired instrument and the accounts still awaiting its settlement.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Expiry">When it expired.</param>
/// <param name="Holders">The accounts holding a position or an order in it, by account id; empty when every holder was settled.</param>
public sealed record UnsettledExpiry(string Symbol, DateTimeOffset Expiry, IReadOnlyList<UnsettledHolder> Holders);
