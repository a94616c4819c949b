namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The model of the account's cross-margin pool. Isolated margin is not a pool mode: it is chosen per position
/// (<see cref="Risk.Portfolios.Position.IsolatedMargin"/>), and an isolated position always uses the standard rules.
/// </summary>
/// <remarks>
/// Journaled events and snapshots store a mode by its member name (and older readers also accept the number), so
/// members are only ever appended: renaming or reordering one would change the meaning of events already recorded.
/// </remarks>
public enum MarginMode
{
    /// <summary>Standard rules (risk-limit brackets, option terms) over the shared pool.</summary>
    StandardCross,

    /// <summary>Portfolio margin (scenario grid) over the shared pool.</summary>
    Portfolio,

    /// <summary>SIMM-style Greeks margin (delta, vega and curvature per underlying bucket) over the shared pool.</summary>
    Simm,

    /// <summary>Historical-simulation Value-at-Risk over the shared pool.</summary>
    ValueAtRisk,

    /// <summary>Historical-simulation Expected Shortfall over the shared pool.</summary>
    ExpectedShortfall,

    /// <summary>The maximum of the configured models (IM and MM each the largest of the components') over the shared pool.</summary>
    Composite,
}
