namespace CrossMargin.Cli.Commands;

/// <summary>What <c>cm stress</c> was asked.</summary>
/// <param name="PortfolioPath">Portfolio file.</param>
/// <param name="MarketPath">Market file.</param>
/// <param name="ParametersPath">Risk parameter file.</param>
/// <param name="Scenario">A named stress, or null.</param>
/// <param name="Spot">Ad-hoc spot moves (BTC=-0.3,*=-0.2), or null.</param>
/// <param name="Vol">Ad-hoc vol shifts, or null.</param>
/// <param name="Reverse">Also run the reverse stress.</param>
/// <param name="Model">The pool's model instead of the file's, or null.</param>
/// <param name="Json">JSON instead of text.</param>
public sealed record StressRequest(
    string PortfolioPath, string MarketPath, string ParametersPath, string? Scenario, string? Spot, string? Vol, bool Reverse, string? Model, bool Json);
