using CrossMargin.Cluster.RabbitMq;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// The servers under a running cluster restart while a venue streams deposits in: the nodes pause and recover, and
/// the journal ends holding every deposit exactly once, in histories that never fork.
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class ServerRestartTests(ClusterServers servers)
{
    private const int Accounts = 24;
    private const int DepositsPerAccount = 20;
    private const int Streams = 4;

    [Fact]
    public async Task A_broker_restart_under_load_pauses_the_nodes_and_loses_or_repeats_nothing()
    {
        await using var cluster = await TestCluster.CreateAsync(servers);
        await RunUnderLoadAsync(cluster, () => servers.RabbitMq.RestartAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_database_restart_under_load_pauses_the_nodes_and_loses_or_repeats_nothing()
    {
        // Down for longer than the 3 s lease: the nodes fence themselves, and once the database is back every lease is
        // taken again at a later epoch before a shard is served.
        await using var cluster = await TestCluster.CreateAsync(servers);
        await RunUnderLoadAsync(cluster, () => servers.Postgres.RestartAsync(TimeSpan.FromSeconds(4)));
    }

    private static async Task RunUnderLoadAsync(TestCluster cluster, Func<Task> restart)
    {
        var nodes = new[] { await cluster.StartNodeAsync("n1"), await cluster.StartNodeAsync("n2"), await cluster.StartNodeAsync("n3") };
        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        var accounts = Enumerable.Range(0, Accounts).Select(i => $"acc-{i}").ToArray();
        foreach (var account in accounts)
        {
            await TestCluster.OpenAsync(nodes[IndexOf(account) % nodes.Length], account);
        }

        var ledger = accounts.ToDictionary(a => a, _ => 0m);
        var ids = accounts.ToDictionary(a => a, _ => (IReadOnlyCollection<string>)new List<string>());
        var plan = accounts.Select(account => Enumerable.Range(1, DepositsPerAccount).Select(sequence =>
        {
            var amount = decimal.Round(sequence * 1.01m + account.Length * 0.07m, 2);
            ledger[account] += amount;
            ((List<string>)ids[account]).Add(TestCluster.DepositId(account, sequence));
            return (Account: account, Sequence: sequence, Amount: amount);
        }).ToArray()).ToArray();

        // The venue: a few streams, each publishing its accounts' deposits in order; a publish waits for the broker's
        // confirm and retries through an outage under the same id, so a deposit may reach a queue twice, never zero times.
        await using var connection = await RabbitMqConnection.ConnectAsync(cluster.Broker());
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var published = 0;
        var streams = Enumerable.Range(0, Streams).Select(stream => Task.Run(async () =>
        {
            var mine = plan.Where((_, a) => a % Streams == stream).ToArray();
            for (var sequence = 0; sequence < DepositsPerAccount; sequence++)
            {
                foreach (var deposits in mine)
                {
                    var (account, number, amount) = deposits[sequence];
                    await publisher.PublishAsync(connection.Names.Accounts, account, TestCluster.Deposit(account, number, amount),
                        TestCluster.DepositId(account, number), "deposit");
                    Interlocked.Increment(ref published);
                    await Task.Delay(5);
                }
            }
        })).ToArray();

        var total = Accounts * DepositsPerAccount;
        await TestCluster.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref published) >= total / 3), TimeSpan.FromSeconds(60), "a third published before the restart");
        await restart().WaitAsync(TimeSpan.FromSeconds(120));
        await Task.WhenAll(streams).WaitAsync(TimeSpan.FromSeconds(120));

        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(60));
        await TestCluster.BalancesEqualAsync(nodes[0], ledger, TimeSpan.FromSeconds(90));
        await cluster.AssertHistoriesAsync(ids);
        Assert.All(nodes, n => Assert.NotEmpty(TestCluster.HostOf(n).Cluster!.Node.Shards));

        static int IndexOf(string account) => int.Parse(account.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture);
    }
}
