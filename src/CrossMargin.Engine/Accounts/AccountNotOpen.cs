namespace CrossMargin.Engine.Accounts;

/// <summary>The answer to a query for an account that was never opened.</summary>
/// <param name="AccountId">The account asked for.</param>
public sealed record AccountNotOpen(string AccountId);
