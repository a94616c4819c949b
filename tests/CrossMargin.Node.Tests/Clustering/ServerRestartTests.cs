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
        // Down for 3 s, within the 10 s lease: appends fail, the accounts refuse, and each shard holds its later
        // deliveries and retries them in queue order until the database is back; no shard changes hands.
        await using var cluster = await TestCluster.CreateAsync(servers);
        await RunUnderLoadAsync(cluster, () => servers.Postgres.RestartAsync(TimeSpan.FromSeconds(3)), "--Cluster:LeaseTtl=00:00:10");
    }

    [Fact]
    public async Task A_database_outage_longer_than_the_lease_moves_shards_without_losing_or_reordering_a_message()
    {
        // Down for 5 s against a 3 s lease: every node gives its shards up while its shards hold deliveries that failed,
        // and the shards are taken again (often by another node) once the database is back. The held deliveries return
        // to the queues while the next owner already consumes what the venue published after them. The venue publishes
        // slowly (about 16 a second, for half a minute), so it is still publishing when the shards move.
        await using var cluster = await TestCluster.CreateAsync(servers);
        await RunUnderLoadAsync(cluster, () => servers.Postgres.RestartAsync(TimeSpan.FromSeconds(5)), TimeSpan.FromMilliseconds(250));
    }

    private static Task RunUnderLoadAsync(TestCluster cluster, Func<Task> restart, params string[] settings) =>
        RunUnderLoadAsync(cluster, restart, TimeSpan.FromMilliseconds(5), settings);

    private static async Task RunUnderLoadAsync(TestCluster cluster, Func<Task> restart, TimeSpan pause, params string[] settings)
    {
        var nodes = new[] { await cluster.StartNodeAsync("n1", settings), await cluster.StartNodeAsync("n2", settings), await cluster.StartNodeAsync("n3", settings) };
        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        var accounts = Enumerable.Range(0, 24).Select(i => $"acc-{i}").ToArray();
        for (var i = 0; i < accounts.Length; i++)
        {
            await TestCluster.OpenAsync(nodes[i % nodes.Length], accounts[i]);
        }

        var venue = VenueFeed.Deposits(accounts, perAccount: 20, out var ledger);
        var streaming = venue.RunAsync(cluster.Broker(), streams: 4, pause: pause);
        await TestCluster.EventuallyAsync(() => Task.FromResult(venue.Published >= venue.Total / 5), TimeSpan.FromSeconds(60), "a fifth published before the restart");
        await restart().WaitAsync(TimeSpan.FromSeconds(120));
        await streaming.WaitAsync(TimeSpan.FromSeconds(120));

        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(60));
        await TestCluster.BalancesEqualAsync(nodes[0], ledger, TimeSpan.FromSeconds(90));
        await cluster.AssertHistoriesAsync(venue.Ids);
    }
}
