using CrossMargin.Risk.Stress;

namespace CrossMargin.Cli.Commands;

/// <summary>A finished <c>cm stress cascade</c>: what was run and how it went.</summary>
/// <param name="BookPath">The book file.</param>
/// <param name="Accounts">Accounts in the book.</param>
/// <param name="Model">The pool's model.</param>
/// <param name="Scenario">The shock.</param>
/// <param name="Parameters">Impact, fund and round limit.</param>
/// <param name="Result">The cascade.</param>
public sealed record CascadeRun(string BookPath, int Accounts, string Model, StressScenario Scenario, CascadeParameters Parameters, CascadeResult Result);
