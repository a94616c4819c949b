namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// The servers under a running cluster restart while a venue streams deposits in: the nodes pause and recover, and
/// the journal ends holding every deposit exactly once, in histories that never fork.
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class ServerRestartTests(ClusterServers servers)
{
    [Fact]
    public async Task A_broker_restart_under_load_pauses_the_nodes_and_loses_or_repeats_nothing()
    {
        await using var cluster = await TestCluster.CreateAsync(servers);
        await RunUnderLoadAsync(cluster, () => servers.RabbitMq.RestartAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_database_restart_under_load_pauses_the_nodes_and_loses_or_repeats_nothing()
    {
        // Down for longer than the 3 s lease: appends fail (the accounts refuse, their shards hold and retry in order),
        // the nodes fence themselves, and once the database is back the leases are taken again before a shard is served.
        await using var cluster = await TestCluster.CreateAsync(servers);
        await RunUnderLoadAsync(cluster, () => servers.Postgres.RestartAsync(TimeSpan.FromSeconds(4)));
    }

    private static async Task RunUnderLoadAsync(TestCluster cluster, Func<Task> restart)
    {
        var nodes = new[] { await cluster.StartNodeAsync("n1"), await cluster.StartNodeAsync("n2"), await cluster.StartNodeAsync("n3") };
        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        var accounts = Enumerable.Range(0, 24).Select(i => $"acc-{i}").ToArray();
        for (var i = 0; i < accounts.Length; i++)
        {
            await TestCluster.OpenAsync(nodes[i % nodes.Length], accounts[i]);
        }

        var venue = VenueFeed.Deposits(accounts, perAccount: 20, out var ledger);
        var streaming = venue.RunAsync(cluster.Broker(), streams: 4, pause: TimeSpan.FromMilliseconds(5));
        await TestCluster.EventuallyAsync(() => Task.FromResult(venue.Published >= venue.Total / 3), TimeSpan.FromSeconds(60), "a third published before the restart");
        await restart().WaitAsync(TimeSpan.FromSeconds(120));
        await streaming.WaitAsync(TimeSpan.FromSeconds(120));

        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(60));
        await TestCluster.BalancesEqualAsync(nodes[0], ledger, TimeSpan.FromSeconds(90));
        await cluster.AssertHistoriesAsync(venue.Ids);
    }
}
