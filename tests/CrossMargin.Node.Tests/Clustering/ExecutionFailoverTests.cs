using System.Net;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>A node dies while the matching engine's executions stream in.</summary>
[Collection(UsesClusterServers.Name)]
public sealed class ExecutionFailoverTests(ClusterServers servers)
{
    private const decimal Funding = 10_000m;

    [Fact]
    public async Task A_node_killed_while_executions_stream_in_leaves_every_execution_applied_exactly_once()
    {
        await using var cluster = await TestCluster.CreateAsync(servers);
        var nodes = new List<Api.NodeUnderTest> { await cluster.StartNodeAsync("n1"), await cluster.StartNodeAsync("n2"), await cluster.StartNodeAsync("n3") };
        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        var accounts = Enumerable.Range(0, 18).Select(i => $"trader-{i}").ToArray();
        foreach (var account in accounts)
        {
            await TestCluster.OpenAsync(nodes[0], account);
            var deposit = await nodes[2].Client.PostAsync("/api/v1/deposits",
                new ByteArrayContent(TestCluster.Deposit(account, 1, Funding)) { Headers = { ContentType = new("application/json") } });
            Assert.Equal(HttpStatusCode.OK, deposit.StatusCode);
        }

        var venue = VenueFeed.Executions(accounts, perAccount: 30, out var fees, out var positions);
        var streaming = venue.RunAsync(cluster.Broker(), streams: 3, pause: TimeSpan.FromMilliseconds(5));
        await TestCluster.EventuallyAsync(() => Task.FromResult(venue.Published >= venue.Total / 3), TimeSpan.FromSeconds(60), "a third published before the kill");
        var victim = nodes[1];
        await TestCluster.HostOf(victim).Cluster!.CrashAsync();   // kill -9: no hand-off, leases left to expire, deliveries unacked
        nodes.Remove(victim);
        await streaming.WaitAsync(TimeSpan.FromSeconds(120));

        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        await TestCluster.AccountsMatchAsync(nodes[0], accounts, (account, view) =>
        {
            var usdt = TestCluster.UsdtOf(view);
            var contracts = TestCluster.PositionOf(view, "BTC-PERP");
            return usdt == Funding - fees[account] && contracts == positions[account]
                ? null
                : $"{usdt} USDT, {contracts} BTC-PERP (ledger {Funding - fees[account]} USDT, {positions[account]})";
        }, TimeSpan.FromSeconds(90));
        await cluster.AssertHistoriesAsync(venue.Ids, "account.execution-applied");
    }
}
