namespace CrossMargin.Node.Hosting;

/// <summary>One risk parameter set the engine runs with, and where it came from.</summary>
/// <param name="Slot">The margin mode whose accounts it margins, by its contract name: <c>standard</c>, <c>portfolio</c>, <c>simm</c>, <c>var</c>, <c>es</c> or <c>composite</c>.</param>
/// <param name="File">The configured file's absolute path when the set came from it; null when it is a stored version.</param>
/// <param name="Version">The first 12 hex digits of the text's SHA-256: the same text has the same version on every node.</param>
/// <param name="Model">The model the slot takes from the text: standard, portfolio, simm, var, es or composite.</param>
/// <param name="Description">The text's own description.</param>
/// <param name="LoadedAt">When this node put it in force.</param>
public sealed record RiskParameterSet(string Slot, string? File, string Version, string Model, string Description, DateTimeOffset LoadedAt)
{
    /// <summary><c>file</c> (the configured file, no stored version yet) or <c>stored</c> (a version of the parameter history).</summary>
    public string Source => StoredVersion is null ? "file" : "stored";

    /// <summary>The version number in the slot's history; null when the set is the configured file.</summary>
    public long? StoredVersion { get; init; }

    /// <summary>Who applied the stored version (audit identity); null for a file.</summary>
    public string? AppliedBy { get; init; }

    /// <summary>When the stored version was applied; null for a file.</summary>
    public DateTimeOffset? AppliedAt { get; init; }

    /// <summary>Why, as the operator said; null when not given.</summary>
    public string? Reason { get; init; }
}
