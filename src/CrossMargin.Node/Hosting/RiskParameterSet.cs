namespace CrossMargin.Node.Hosting;

/// <summary>One risk parameter file the engine runs with.</summary>
/// <param name="Slot"><c>standard</c> (accounts in standard cross mode) or <c>portfolio</c> (accounts in portfolio mode).</param>
/// <param name="File">The file's absolute path.</param>
/// <param name="Version">The first 12 hex digits of the file's SHA-256: the same file has the same version on every node.</param>
/// <param name="Model">The file's cross model: <c>standard</c> or <c>portfolio</c>.</param>
/// <param name="Description">The file's own description.</param>
/// <param name="LoadedAt">When the node loaded it.</param>
public sealed record RiskParameterSet(string Slot, string File, string Version, string Model, string Description, DateTimeOffset LoadedAt);
