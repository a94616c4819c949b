using CrossMargin.Node.Accounts;
using CrossMargin.Risk.Margin;

namespace CrossMargin.Node.Operations;

/// <summary>
/// Combines the local parts members answered into one cluster-wide answer. Totals are summed over the accounts each
/// part lists (every breaching account, every status change), with an account listed by two members (a shard handed
/// off while it was asked) counted once, so the figures are exact sums of the accounts they name.
/// </summary>
public static class ClusterTotals
{
    /// <summary>
    /// The cluster's stress report from each member's local part. The insurance fund is one for the cluster, never a
    /// sum: its value is the one reported by the first member (by name) that runs it, or null when none does.
    /// </summary>
    public static StressReport Stress(StressRequest request, DateTimeOffset valuationTime, IReadOnlyList<MemberAnswer<StressReport>> answers,
        IReadOnlyList<int> unservedShards)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(unservedShards);
        var parts = answers.Where(a => a.Part is not null).Select(a => a.Part!).ToArray();
        var breaching = parts.SelectMany(p => p.Breaching)
            .DistinctBy(a => a.AccountId, StringComparer.Ordinal)
            .OrderByDescending(a => a.ShortfallUsd).ThenBy(a => a.AccountId, StringComparer.Ordinal)
            .ToArray();
        var deficit = breaching.Sum(a => a.DeficitUsd);
        var insuranceFundUsd = answers.OrderBy(a => a.Node, StringComparer.Ordinal).Select(a => a.Part?.InsuranceFundUsd).FirstOrDefault(f => f is not null);
        var nodes = NodesOf(answers, p => (p.AccountsEvaluated, p.AccountsBreaching));
        var failures = answers.Where(a => a.Part is not null).SelectMany(a => a.Part!.Failures.Select(f => $"{a.Node}: {f}")).ToArray();
        return new StressReport(request.Spot ?? new Dictionary<string, decimal>(), request.VolPoints ?? 0, valuationTime, parts.Sum(p => p.AccountsEvaluated),
            breaching.Length, breaching.Count(a => a.StatusAfter == MarginStatus.Bankrupt), breaching.Sum(a => a.ShortfallUsd), deficit,
            insuranceFundUsd, insuranceFundUsd is { } fund ? fund >= deficit : null, StressRunner.CoverageOf(insuranceFundUsd, deficit), breaching.Take(StressRunner.Listed).ToArray(),
            failures, "cluster", Partial: nodes.Any(n => !n.Answered) || unservedShards.Count > 0, nodes, unservedShards);
    }

    /// <summary>The cluster's parameter dry-run from each member's local part; <paramref name="self"/> names the file and slot.</summary>
    public static ParameterDryRun DryRun(ParameterDryRun self, IReadOnlyList<MemberAnswer<ParameterDryRun>> answers, IReadOnlyList<int> unservedShards)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(unservedShards);
        var parts = answers.Where(a => a.Part is not null).Select(a => a.Part!).ToArray();
        var changes = parts.SelectMany(p => p.Changes)
            .DistinctBy(c => c.AccountId, StringComparer.Ordinal)
            .OrderBy(c => c.AccountId, StringComparer.Ordinal)
            .ToArray();
        var nodes = NodesOf(answers, p => (p.AccountsEvaluated, p.AccountsChangingStatus));
        return self with
        {
            AccountsEvaluated = parts.Sum(p => p.AccountsEvaluated),
            AccountsChangingStatus = changes.Length,
            AccountsIntoLiquidation = changes.Count(ParameterDryRun.IntoLiquidation),
            Changes = changes.Take(StressRunner.Listed).ToArray(),
            Scope = "cluster",
            Partial = nodes.Any(n => !n.Answered) || unservedShards.Count > 0,
            Nodes = nodes,
            UnservedShards = unservedShards,
        };
    }

    /// <summary>
    /// The cluster's accounts awaiting an expiry's settlement from each member's local part: per instrument (any member's
    /// expired ones), the holders every answering member listed, an account listed by two members (a shard handed off
    /// while it was asked) once. <paramref name="self"/> is the answering node's part; its market gives the valuation time.
    /// </summary>
    public static UnsettledExpiries Unsettled(UnsettledExpiries self, IReadOnlyList<MemberAnswer<UnsettledExpiries>> answers, IReadOnlyList<int> unservedShards)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(unservedShards);
        var parts = answers.Where(a => a.Part is not null).Select(a => a.Part!).ToArray();
        var instruments = parts.SelectMany(p => p.Instruments)
            .GroupBy(i => i.Symbol, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new UnsettledExpiry(g.Key, g.First().Expiry,
                [.. g.SelectMany(i => i.Holders).DistinctBy(h => h.AccountId, StringComparer.Ordinal).OrderBy(h => h.AccountId, StringComparer.Ordinal)]))
            .ToArray();
        var nodes = NodesOf(answers, p => (p.AccountsRead, p.AccountsAwaiting));
        return new UnsettledExpiries(self.ValuationTime, instruments)
        {
            AccountsRead = parts.Sum(p => p.AccountsRead),
            Scope = "cluster",
            Partial = nodes.Any(n => !n.Answered) || unservedShards.Count > 0,
            Nodes = nodes,
            UnservedShards = unservedShards,
        };
    }

    /// <summary>Each member's part, by name: what <paramref name="figures"/> reads from its answer (accounts assessed, flagged), or why it did not answer.</summary>
    private static NodePart[] NodesOf<T>(IEnumerable<MemberAnswer<T>> answers, Func<T, (int Evaluated, int Flagged)> figures)
        where T : class =>
        answers.Select(a => a.Part is { } p && figures(p) is var (evaluated, flagged)
                ? new NodePart(a.Node, Answered: true, evaluated, flagged, null)
                : new NodePart(a.Node, Answered: false, 0, 0, a.Problem))
            .OrderBy(n => n.Node, StringComparer.Ordinal)
            .ToArray();
}
