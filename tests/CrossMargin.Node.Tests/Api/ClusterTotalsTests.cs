using CrossMargin.Node.Accounts;
using CrossMargin.Node.Operations;
using CrossMargin.Risk.Margin;

namespace CrossMargin.Node.Tests.Api;

public sealed class ClusterTotalsTests
{
    private static readonly StressRequest Request = new(new Dictionary<string, decimal> { ["BTC"] = -0.3m }, null);

    private static StressedAccount Breach(string id, decimal shortfall, decimal deficit) =>
        new(id, MarginStatus.Healthy, deficit > 0 ? MarginStatus.Bankrupt : MarginStatus.Liquidation, -deficit, shortfall - deficit, shortfall, deficit);

    private static StressReport Local(string node, int evaluated, params StressedAccount[] breaching) => Local(node, evaluated, null, breaching);

    private static StressReport Local(string node, int evaluated, decimal? fundUsd, params StressedAccount[] breaching) =>
        new(Request.Spot!, 0, DateTimeOffset.UnixEpoch, evaluated, breaching.Length, breaching.Count(b => b.DeficitUsd > 0), breaching.Sum(b => b.ShortfallUsd),
            breaching.Sum(b => b.DeficitUsd), fundUsd, null, null, breaching, [], "node", false, [new NodePart(node, true, evaluated, breaching.Length, null)], []);

    [Fact]
    public void Cluster_stress_totals_are_exact_sums_over_the_accounts_every_member_listed()
    {
        var answers = new[]
        {
            new MemberAnswer<StressReport>("n1", Local("n1", 5, Breach("a", 100.10m, 0), Breach("b", 0.01m, 0)), null),
            new MemberAnswer<StressReport>("n2", Local("n2", 4, 1000m, Breach("c", 2000.005m, 1500.005m)), null),
        };

        var report = ClusterTotals.Stress(Request, DateTimeOffset.UnixEpoch, answers, []);

        Assert.Equal(("cluster", false), (report.Scope, report.Partial));
        Assert.Equal(9, report.AccountsEvaluated);
        Assert.Equal(3, report.AccountsBreaching);
        Assert.Equal(1, report.AccountsBankrupt);
        Assert.Equal(2100.115m, report.TotalShortfallUsd);
        Assert.Equal(1500.005m, report.TotalDeficitUsd);
        Assert.Equal((1000m, false), (report.InsuranceFundUsd, report.FundCoversDeficit));
        Assert.Equal(Math.Round(1000m / 1500.005m, 4), report.CoverageRatio);
        Assert.Equal(["c", "a", "b"], report.Breaching.Select(b => b.AccountId));
        Assert.Equal([("n1", 5, 2), ("n2", 4, 1)], report.Nodes.Select(n => (n.Node, n.AccountsEvaluated, n.AccountsFlagged)));
    }

    [Fact]
    public void An_account_listed_by_two_members_during_a_hand_off_counts_once()
    {
        var answers = new[]
        {
            new MemberAnswer<StressReport>("n1", Local("n1", 1, Breach("a", 10m, 0)), null),
            new MemberAnswer<StressReport>("n2", Local("n2", 1, Breach("a", 10m, 0)), null),
        };

        var report = ClusterTotals.Stress(Request, DateTimeOffset.UnixEpoch, answers, []);

        Assert.Equal((1, 10m), (report.AccountsBreaching, report.TotalShortfallUsd));
    }

    [Fact]
    public void Without_a_member_that_runs_the_insurance_fund_the_cover_is_unknown_not_zero()
    {
        var answers = new[] { new MemberAnswer<StressReport>("n1", Local("n1", 1, Breach("a", 10m, 5m)), null) };

        var report = ClusterTotals.Stress(Request, DateTimeOffset.UnixEpoch, answers, []);

        Assert.Equal(((decimal?)null, (bool?)null, (decimal?)null), (report.InsuranceFundUsd, report.FundCoversDeficit, report.CoverageRatio));
    }

    [Fact]
    public void A_member_that_did_not_answer_makes_the_stress_partial_and_is_named_with_why()
    {
        var answers = new[]
        {
            new MemberAnswer<StressReport>("n1", Local("n1", 2, Breach("a", 10m, 0)), null),
            new MemberAnswer<StressReport>("n3", null, "did not answer within 5 s"),
        };

        var report = ClusterTotals.Stress(Request, DateTimeOffset.UnixEpoch, answers, []);

        Assert.True(report.Partial);
        Assert.Equal((2, 1), (report.AccountsEvaluated, report.AccountsBreaching));
        var missing = Assert.Single(report.Nodes, n => !n.Answered);
        Assert.Equal(("n3", "did not answer within 5 s"), (missing.Node, missing.Problem));
    }

    [Fact]
    public void Shards_without_an_owner_make_the_answer_partial_even_when_every_member_answered()
    {
        var answers = new[] { new MemberAnswer<StressReport>("n1", Local("n1", 2), null) };

        var report = ClusterTotals.Stress(Request, DateTimeOffset.UnixEpoch, answers, [3, 5]);

        Assert.True(report.Partial);
        Assert.Equal([3, 5], report.UnservedShards);
    }

    [Fact]
    public void Cluster_dry_run_counts_every_members_changes_once_and_names_the_silent_member()
    {
        static ParameterDryRun Part(string node, int evaluated, params string[] changing) =>
            new("standard", "v2", "v1", "tighter", evaluated, changing.Length,
                changing.Select(a => new StatusChange(a, MarginStatus.Healthy, MarginStatus.MarginCall, 1m, 2m)).ToArray(), false, "node", false,
                [new NodePart(node, true, evaluated, changing.Length, null)], []);
        var n1 = Part("n1", 3, "a", "b");
        var answers = new[]
        {
            new MemberAnswer<ParameterDryRun>("n1", n1, null),
            new MemberAnswer<ParameterDryRun>("n2", Part("n2", 4, "c", "b"), null),
            new MemberAnswer<ParameterDryRun>("n3", null, "answered 401: A bearer token is required."),
        };

        var run = ClusterTotals.DryRun(n1, answers, []);

        Assert.Equal(("cluster", true, 7, 3), (run.Scope, run.Partial, run.AccountsEvaluated, run.AccountsChangingStatus));
        Assert.Equal(["a", "b", "c"], run.Changes.Select(c => c.AccountId));
        Assert.Equal(["n1", "n2", "n3"], run.Nodes.Select(n => n.Node));
    }

    private static readonly DateTimeOffset December = new(2026, 12, 25, 8, 0, 0, TimeSpan.Zero);

    private static UnsettledExpiries Unsettled(int read, params (string Symbol, UnsettledHolder[] Holders)[] instruments) =>
        new(December.AddHours(1), [.. instruments.Select(i => new UnsettledExpiry(i.Symbol, December, i.Holders))]) { AccountsRead = read };

    private static UnsettledHolder Holder(string account, decimal quantity) => new(account, quantity, 60_000m, 0);

    [Fact]
    public void The_cluster_lists_every_members_holders_of_an_expired_instrument_each_once_and_counts_what_each_member_read()
    {
        var n1 = Unsettled(5, ("BTC-25DEC26", [Holder("b", 1m), Holder("a", -2m)]), ("BTC-25DEC26-60000-C", []));
        var n2 = Unsettled(4, ("BTC-25DEC26", [Holder("c", 0.5m), Holder("b", 1m)]), ("BTC-25DEC26-60000-C", [Holder("d", 3m)]));

        var cluster = ClusterTotals.Unsettled(n1, [new MemberAnswer<UnsettledExpiries>("n1", n1, null), new MemberAnswer<UnsettledExpiries>("n2", n2, null)], []);

        Assert.Equal(("cluster", false, 9, December.AddHours(1)), (cluster.Scope, cluster.Partial, cluster.AccountsRead, cluster.ValuationTime));
        Assert.Equal(
            [("BTC-25DEC26", "a", -2m), ("BTC-25DEC26", "b", 1m), ("BTC-25DEC26", "c", 0.5m), ("BTC-25DEC26-60000-C", "d", 3m)],
            cluster.Instruments.SelectMany(i => i.Holders.Select(h => (i.Symbol, h.AccountId, h.Quantity))));
        // b is listed by both (a shard handed off while they were asked): awaiting is counted per member, listed once.
        Assert.Equal([("n1", 5, 2), ("n2", 4, 3)], cluster.Nodes.Select(n => (n.Node, n.AccountsEvaluated, n.AccountsFlagged)));
        Assert.Equal(4, cluster.AccountsAwaiting);
    }

    [Fact]
    public void A_member_that_does_not_answer_or_a_shard_without_an_owner_makes_the_unsettled_list_partial()
    {
        var n1 = Unsettled(1, ("BTC-25DEC26", [Holder("a", 1m)]));

        var silent = ClusterTotals.Unsettled(n1, [new MemberAnswer<UnsettledExpiries>("n1", n1, null), new MemberAnswer<UnsettledExpiries>("n2", null, "did not answer within 5 s")], []);
        var unserved = ClusterTotals.Unsettled(n1, [new MemberAnswer<UnsettledExpiries>("n1", n1, null)], [3]);

        Assert.Equal((true, "did not answer within 5 s"), (silent.Partial, silent.Nodes.Single(n => n.Node == "n2").Problem));
        Assert.True(unserved.Partial);
        Assert.Equal([3], unserved.UnservedShards);
    }
}
