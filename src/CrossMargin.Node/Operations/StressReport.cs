namespace CrossMargin.Node.Operations;

/// <summary>The outcome of a stress scenario over the live accounts of one node, or of every member of the cluster.</summary>
/// <param name="Spot">The spot moves applied.</param>
/// <param name="VolPoints">The vol move applied.</param>
/// <param name="ValuationTime">The market the scenario moved from (the answering node's).</param>
/// <param name="AccountsEvaluated">Accounts assessed.</param>
/// <param name="AccountsBreaching">Accounts that would be in liquidation or bankrupt.</param>
/// <param name="AccountsBankrupt">Of those, accounts whose equity would be negative.</param>
/// <param name="TotalShortfallUsd">Sum of maintenance margin less equity over breaching accounts.</param>
/// <param name="TotalDeficitUsd">Sum of negative equity: what the insurance fund would have to cover.</param>
/// <param name="InsuranceFundUsd">
/// The insurance fund valued at the scenario's prices, as the node that runs the fund reports it; null when no node
/// asked runs it (cluster nodes do not run the fund until it is a cluster singleton).
/// </param>
/// <param name="FundCoversDeficit">Whether the fund covers the total deficit; null without a fund.</param>
/// <param name="CoverageRatio">Fund / deficit, or null without a deficit or without a fund.</param>
/// <param name="Breaching">The breaching accounts, largest shortfall first (at most 100, except in a node's local part).</param>
/// <param name="Failures">Accounts the scenario could not be assessed for, with why.</param>
/// <param name="Scope"><c>node</c> (one node's live accounts: an embedded node, or a member's local part) or <c>cluster</c>.</param>
/// <param name="Partial">Whether some accounts are missing: a member did not answer, or a shard had no owner.</param>
/// <param name="Nodes">Each node's part: accounts assessed and breaching, or why it did not answer.</param>
/// <param name="UnservedShards">Shards no member held a lease for when asked (their accounts are not in the totals).</param>
public sealed record StressReport(
    IReadOnlyDictionary<string, decimal> Spot,
    double VolPoints,
    DateTimeOffset ValuationTime,
    int AccountsEvaluated,
    int AccountsBreaching,
    int AccountsBankrupt,
    decimal TotalShortfallUsd,
    decimal TotalDeficitUsd,
    decimal? InsuranceFundUsd,
    bool? FundCoversDeficit,
    decimal? CoverageRatio,
    IReadOnlyList<StressedAccount> Breaching,
    IReadOnlyList<string> Failures,
    string Scope,
    bool Partial,
    IReadOnlyList<NodePart> Nodes,
    IReadOnlyList<int> UnservedShards);
