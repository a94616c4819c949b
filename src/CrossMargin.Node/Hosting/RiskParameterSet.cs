namespace CrossMargin.Node.Hosting;

/// <summary>One risk parameter file the engine runs with.</summary>
/// <param name="Slot">The margin mode whose accounts it margins, by its contract name: <c>standard</c>, <c>portfolio</c>, <c>simm</c>, <c>var</c>, <c>es</c> or <c>composite</c>.</param>
/// <param name="File">The file's absolute path.</param>
/// <param name="Version">The first 12 hex digits of the file's SHA-256: the same file has the same version on every node.</param>
/// <param name="Model">The model the slot takes from the file: standard, portfolio, simm, var, es or composite.</param>
/// <param name="Description">The file's own description.</param>
/// <param name="LoadedAt">When the node loaded it.</param>
public sealed record RiskParameterSet(string Slot, string File, string Version, string Model, string Description, DateTimeOffset LoadedAt);
