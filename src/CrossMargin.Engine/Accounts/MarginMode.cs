namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The model of the account's cross-margin pool. Isolated margin is not a pool mode: it is chosen per position
/// (<see cref="Risk.Portfolios.Position.IsolatedMargin"/>), and an isolated position always uses the standard rules.
/// </summary>
public enum MarginMode
{
    /// <summary>Standard rules (risk-limit brackets, option terms) over the shared pool.</summary>
    StandardCross,

    /// <summary>Portfolio margin (scenario grid) over the shared pool.</summary>
    Portfolio,
}
