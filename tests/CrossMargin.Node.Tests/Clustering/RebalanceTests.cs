using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>Whole nodes joining a running cluster while a venue streams deposits in.</summary>
[Collection(UsesClusterServers.Name)]
public sealed partial class RebalanceTests(ClusterServers servers)
{
    [Fact]
    public async Task A_fourth_node_gets_its_share_one_move_at_a_time_then_one_leaves_and_no_deposit_is_lost_or_repeated()
    {
        await using var cluster = await TestCluster.CreateAsync(servers);
        const string oneMove = "--Cluster:MaxConcurrentMoves=1";
        var nodes = new List<Api.NodeUnderTest>
        {
            await cluster.StartNodeAsync("n1", oneMove), await cluster.StartNodeAsync("n2", oneMove), await cluster.StartNodeAsync("n3", oneMove),
        };
        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(60));
        var accounts = Enumerable.Range(0, 16).Select(i => $"acc-{i}").ToArray();
        foreach (var account in accounts)
        {
            await TestCluster.OpenAsync(nodes[0], account);
        }

        var venue = VenueFeed.Deposits(accounts, perAccount: 20, out var ledger);
        var streaming = venue.RunAsync(cluster.Broker(), streams: 4, pause: TimeSpan.FromMilliseconds(10));
        await TestCluster.EventuallyAsync(() => Task.FromResult(venue.Published >= venue.Total / 4), TimeSpan.FromSeconds(60), "a quarter published before the join");
        var joinedAfter = await LastEventIdAsync(cluster);
        nodes.Add(await cluster.StartNodeAsync("n4", oneMove));
        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(60));
        var leftAfter = await LastEventIdAsync(cluster);

        // Then, still under load, n2 leaves gracefully: its shards are handed off (stop, drain, release) to the others.
        var leaving = nodes[1];
        Assert.True(await TestCluster.HostOf(leaving).Cluster!.LeaveAsync(TimeSpan.FromSeconds(30), CancellationToken.None), "n2 handed every shard off");
        nodes.Remove(leaving);
        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(60));
        await streaming.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(venue.Published == venue.Total);

        await TestCluster.BalancesEqualAsync(nodes[2], ledger, TimeSpan.FromSeconds(60));
        await cluster.AssertHistoriesAsync(venue.Ids);
        Assert.Contains(await EventsAfterAsync(cluster, leftAfter), e => e.Node == "n2" && e.Kind == "shard-released");

        // Each move shows as the old owner releasing a shard to n4, then n4 acquiring it: never two under way at once.
        var moves = 0;
        var underWay = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, kind, detail) in (await EventsAfterAsync(cluster, joinedAfter)).TakeWhile(e => !(e.Node == "n2" && e.Kind == "leaving")))
        {
            if (kind == "shard-released" && detail.EndsWith("to n4", StringComparison.Ordinal))
            {
                underWay.Add(ShardOf(detail));
                moves++;
                Assert.True(underWay.Count <= 1, $"two moves under way at once: {string.Join(", ", underWay)}");
            }
            else if (kind == "shard-acquired" && node == "n4")
            {
                Assert.True(underWay.Remove(ShardOf(detail)), $"n4 acquired {detail} before it was released to it");
            }
        }

        Assert.Equal(2, moves);   // 8 shards: 3/3/2 becomes 2/2/2/2
        Assert.Empty(underWay);
    }

    [Fact]
    public async Task A_node_that_takes_shards_over_runs_their_accounts_before_any_message_reaches_them()
    {
        await using var cluster = await TestCluster.CreateAsync(servers);
        var nodes = new List<Api.NodeUnderTest> { await cluster.StartNodeAsync("n1"), await cluster.StartNodeAsync("n2") };
        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(60));
        var accounts = Enumerable.Range(0, 16).Select(i => $"quiet-{i}").ToArray();
        foreach (var account in accounts)
        {
            await TestCluster.OpenAsync(nodes[0], account);
        }

        nodes.Add(await cluster.StartNodeAsync("n3"));
        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(60));

        // Nothing was sent to any account since: n3 runs exactly the accounts of the shards it took over. "Every shard
        // served" is not "rebalanced": the coordinator moves a limited number at a time, so n3 may take another shard
        // after this point, and what it should run is counted again with each look at what it runs.
        var (owned, running) = (0, -1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            owned = 0;
            foreach (var account in accounts)
            {
                var located = await nodes[0].Client.GetFromJsonAsync<JsonElement>($"/api/v1/sharding/regions/account/locate/{account}");
                owned += located.GetProperty("owner").GetString() == "n3" ? 1 : 0;
            }

            var region = await nodes[2].Client.GetFromJsonAsync<JsonElement>("/api/v1/sharding/regions/account?scope=local");
            running = region.GetProperty("totalEntities").GetInt32();
            if ((owned > 0 && running == owned) || clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.True(owned > 0, "n3 owns some of the accounts");
        Assert.True(running == owned, $"n3 runs {running} accounts, but owns the shards of {owned}");
    }

    private static string ShardOf(string detail) => ShardNumber().Match(detail).Groups[1].Value;

    [GeneratedRegex(@"^shard (\d+) ")]
    private static partial Regex ShardNumber();

    private static async Task<long> LastEventIdAsync(TestCluster cluster)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(max(id), 0) FROM cluster_event", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<(string Node, string Kind, string Detail)>> EventsAfterAsync(TestCluster cluster, long id)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT node_id, kind, detail FROM cluster_event WHERE id > $1 ORDER BY id", connection)
        {
            Parameters = { new NpgsqlParameter<long> { TypedValue = id } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        var events = new List<(string, string, string)>();
        while (await reader.ReadAsync())
        {
            events.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return events;
    }
}
