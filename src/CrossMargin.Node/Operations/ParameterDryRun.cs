namespace CrossMargin.Node.Operations;

/// <summary>What a posted risk parameter file would do to the live accounts of its slot, at the current market.</summary>
/// <param name="Slot">The slot it replaces: <c>standard</c> or <c>portfolio</c>, from the file's <c>model</c>.</param>
/// <param name="Version">The posted file's version (first 12 hex digits of its SHA-256).</param>
/// <param name="ActiveVersion">The version of the file in force in that slot.</param>
/// <param name="Description">The posted file's description.</param>
/// <param name="AccountsEvaluated">Live accounts whose margin mode uses the slot.</param>
/// <param name="AccountsChangingStatus">How many of them would change margin status.</param>
/// <param name="Changes">Those changes (at most 100).</param>
/// <param name="Applied">Whether the parameters were applied: never while running (see the endpoint).</param>
public sealed record ParameterDryRun(
    string Slot, string Version, string ActiveVersion, string Description, int AccountsEvaluated, int AccountsChangingStatus,
    IReadOnlyList<StatusChange> Changes, bool Applied);
