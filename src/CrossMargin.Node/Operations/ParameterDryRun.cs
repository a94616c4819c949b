namespace CrossMargin.Node.Operations;

/// <summary>
/// What a posted risk parameter file would do (dry-run) or did (apply) to the live accounts of its slot, at the current
/// market.
/// </summary>
/// <param name="Slot">The slot it replaces: the one asked for, else the one the file's <c>model</c> names.</param>
/// <param name="Version">The posted file's version (first 12 hex digits of its SHA-256).</param>
/// <param name="ActiveVersion">The version of the file in force in that slot.</param>
/// <param name="Description">The posted file's description.</param>
/// <param name="AccountsEvaluated">Live accounts whose margin mode uses the slot.</param>
/// <param name="AccountsChangingStatus">How many of them would change margin status.</param>
/// <param name="Changes">Those changes (at most 100, except in a node's local part).</param>
/// <param name="Applied">Whether the parameters were stored and put in force (false for a dry-run).</param>
/// <param name="Scope"><c>node</c> (one node's live accounts) or <c>cluster</c> (every member's).</param>
/// <param name="Partial">Whether some accounts are missing: a member did not answer, or a shard had no owner.</param>
/// <param name="Nodes">Each node's part: accounts evaluated and changing status, or why it did not answer.</param>
/// <param name="UnservedShards">Shards no member held a lease for when asked.</param>
public sealed record ParameterDryRun(
    string Slot, string Version, string ActiveVersion, string Description, int AccountsEvaluated, int AccountsChangingStatus,
    IReadOnlyList<StatusChange> Changes, bool Applied, string Scope, bool Partial, IReadOnlyList<NodePart> Nodes, IReadOnlyList<int> UnservedShards)
{
    /// <summary>Of the changes, how many move an account into liquidation or bankruptcy (what an apply refuses without an override).</summary>
    public int AccountsIntoLiquidation { get; init; }

    /// <summary>The version number the apply stored in the slot's history; null for a dry-run.</summary>
    public long? StoredVersion { get; init; }

    /// <summary>Who applied it (audit identity); null for a dry-run.</summary>
    public string? AppliedBy { get; init; }

    /// <summary>When it was applied; null for a dry-run.</summary>
    public DateTimeOffset? AppliedAt { get; init; }

    /// <summary>Why, as the operator said; null when not given.</summary>
    public string? Reason { get; init; }

    /// <summary>Whether a change moves an account into liquidation or bankruptcy.</summary>
    public static bool IntoLiquidation(StatusChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.To > change.From && change.To >= Risk.Margin.MarginStatus.Liquidation;
    }
}
