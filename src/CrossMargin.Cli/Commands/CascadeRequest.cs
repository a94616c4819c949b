namespace CrossMargin.Cli.Commands;

/// <summary>What <c>cm stress cascade</c> was asked.</summary>
/// <param name="BookPath">Book file (accounts).</param>
/// <param name="MarketPath">Market file.</param>
/// <param name="ParametersPath">Risk parameter file.</param>
/// <param name="Scenario">A named stress of the parameter file, or null.</param>
/// <param name="Spot">Ad-hoc spot moves (BTC=-0.3,*=-0.2), or null.</param>
/// <param name="Vol">Ad-hoc vol shifts, or null.</param>
/// <param name="Impact">Impact per 1,000,000 USD of net forced notional per underlying (BTC=0.01,*=0.02).</param>
/// <param name="InsuranceFundUsd">The insurance fund, USD.</param>
/// <param name="MaxRounds">Rounds at most.</param>
/// <param name="Model">The pool's model instead of the file's, or null.</param>
/// <param name="Json">JSON instead of text.</param>
/// <param name="Progress">Progress on standard error even for a small book.</param>
public sealed record CascadeRequest(
    string BookPath, string MarketPath, string ParametersPath, string? Scenario, string? Spot, string? Vol, string Impact, decimal InsuranceFundUsd,
    int MaxRounds, string? Model, bool Json, bool Progress);
