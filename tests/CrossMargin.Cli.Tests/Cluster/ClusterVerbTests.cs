using System.Text.Json;
using CrossMargin.Cli.Node;
using CrossMargin.Cluster.RabbitMq;
using RabbitMQ.Client;

namespace CrossMargin.Cli.Tests.Cluster;

/// <summary>The real <c>cm</c> verbs against a three-node cluster: any node answers for the whole cluster.</summary>
[TestCaseOrderer(ClusterChangesLast.TypeName, ClusterChangesLast.AssemblyName)]
public sealed class ClusterVerbTests(ThreeNodeCluster cluster) : IClassFixture<ThreeNodeCluster>
{
    private static JsonElement Json(string output) => JsonDocument.Parse(output).RootElement;

    private async Task<(string Owner, int Shard)> LocateAsync(string account)
    {
        var (exit, output, error) = await ThreeNodeCluster.Cm(cluster.Nodes[0], "cluster-sharding", "locate", account, "--json");
        Assert.True(exit == ExitCodes.Ok, error);
        var location = Json(output);
        return (location.GetProperty("owner").GetString()!, location.GetProperty("shardId").GetInt32());
    }

    [Fact]
    public async Task Cluster_show_from_any_node_lists_the_three_members_whose_leases_add_up_to_the_shard_count()
    {
        foreach (var via in cluster.Nodes)
        {
            var (exit, output, error) = await ThreeNodeCluster.Cm(via, "cluster", "show", "--json");

            Assert.True(exit == ExitCodes.Ok, error);
            var view = Json(output);
            Assert.Equal(("cluster", via.Name), (view.GetProperty("mode").GetString(), view.GetProperty("self").GetString()));
            var up = view.GetProperty("members").EnumerateArray().Where(m => m.GetProperty("status").GetString() == "up").ToArray();
            Assert.Equal(["n1", "n2", "n3"], up.Select(m => m.GetProperty("name").GetString()).Order());
            var shards = up.SelectMany(m => m.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("shardId").GetInt32())).Order();
            Assert.Equal(Enumerable.Range(0, ThreeNodeCluster.ShardCount), shards);
            Assert.All(up, m => Assert.All(m.GetProperty("shards").EnumerateArray(), s => Assert.True(s.GetProperty("epoch").GetInt64() > 0)));
        }

        var table = await ThreeNodeCluster.Cm(cluster.Nodes[1], "cluster", "show");
        Assert.Equal(ExitCodes.Ok, table.Exit);
        Assert.Contains("Cluster mode cluster", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shard_stats_from_any_node_name_each_shards_owner_and_count_every_account_of_the_cluster()
    {
        var (exit, output, error) = await ThreeNodeCluster.Cm(cluster.Nodes[2], "cluster-sharding", "shard-stats", "--json");

        Assert.True(exit == ExitCodes.Ok, error);
        var region = Json(output);
        Assert.Equal(("cluster", false), (region.GetProperty("scope").GetString(), region.GetProperty("partial").GetBoolean()));
        var shards = region.GetProperty("shards").EnumerateArray().ToArray();
        Assert.Equal(ThreeNodeCluster.ShardCount, shards.Length);
        // Every account is live on its shard's owner; n3 alone sees only its own, so the total needs every owner's count.
        Assert.Equal(ThreeNodeCluster.Longs.Count, shards.Sum(x => x.GetProperty("entities").GetInt32()));
        Assert.Equal(ThreeNodeCluster.Longs.Count, region.GetProperty("totalEntities").GetInt32());
        var (owner, home) = await LocateAsync("acc-00");
        Assert.True(shards.Single(x => x.GetProperty("shardId").GetInt32() == home).GetProperty("entities").GetInt32() >= 1, $"acc-00's shard {home} on {owner} counted none");
        var table = await ThreeNodeCluster.Cm(cluster.Nodes[0], "cluster-sharding", "region-stats");
        Assert.True(table.Exit == ExitCodes.Ok, table.Error);
        Assert.Contains($"{ThreeNodeCluster.Longs.Count} live accounts", table.Output, StringComparison.Ordinal);
        foreach (var shard in shards)
        {
            var id = shard.GetProperty("shardId").GetInt32();
            var server = Assert.Single(cluster.Nodes, n => n.Shards.Contains(id));
            Assert.Equal(server.Name, shard.GetProperty("owner").GetString());
        }
    }

    [Fact]
    public async Task Shard_stats_queue_depth_is_each_shard_queues_ready_count_as_the_broker_reports_it()
    {
        var (amqp, prefix) = cluster.Broker;
        await using var broker = await RabbitMqConnection.ConnectAsync(new RabbitMqOptions { Uri = amqp, Prefix = "cli-depth-" + Guid.NewGuid().ToString("N")[..8] });
        // A queue nobody consumes, holding three messages: the count must come from the broker, not be assumed.
        var scratch = broker.Names.Shard(0);
        await using (var channel = await broker.CreateChannelAsync(publisherConfirms: true))
        {
            await channel.QueueDeclareAsync(scratch, durable: false, exclusive: false, autoDelete: false);
            for (var i = 0; i < 3; i++)
            {
                await channel.BasicPublishAsync("", scratch, new ReadOnlyMemory<byte>("{}"u8.ToArray()));
            }
        }

        var scratchDepths = await QueueDepths.ReadyAsync(broker, [scratch, broker.Names.Shard(1)]);
        Assert.Equal(new Dictionary<string, long> { [scratch] = 3 }, scratchDepths);

        var (exit, output, error) = await ThreeNodeCluster.Cm(cluster.Nodes[1], "cluster-sharding", "shard-stats", "--json");

        Assert.True(exit == ExitCodes.Ok, error);
        var names = new TopologyNames(prefix);
        var reported = await QueueDepths.ReadyAsync(broker, Enumerable.Range(0, ThreeNodeCluster.ShardCount).Select(names.Shard));
        var shards = Json(output).GetProperty("shards").EnumerateArray().ToArray();
        Assert.Equal(ThreeNodeCluster.ShardCount, reported.Count);
        Assert.All(shards, x => Assert.Equal(reported[names.Shard(x.GetProperty("shardId").GetInt32())], x.GetProperty("queueDepth").GetInt64()));
        var table = await ThreeNodeCluster.Cm(cluster.Nodes[0], "cluster-sharding", "shard-stats");
        Assert.True(table.Exit == ExitCodes.Ok, table.Error);
        Assert.DoesNotContain("n/a", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Locate_names_the_node_that_holds_the_accounts_shard()
    {
        foreach (var account in ThreeNodeCluster.Longs.Keys.Take(4))
        {
            var (owner, shard) = await LocateAsync(account);

            var server = Assert.Single(cluster.Nodes, n => n.Shards.Contains(shard));
            Assert.Equal(server.Name, owner);
        }
    }

    [Fact]
    public async Task Account_show_on_a_node_that_does_not_own_the_account_answers_with_the_owners_figures()
    {
        var (owner, _) = await LocateAsync("acc-00");
        var via = cluster.Nodes.First(n => n.Name != owner);

        var (exit, output, error) = await ThreeNodeCluster.Cm(via, "account", "show", "acc-00", "--json");

        Assert.True(exit == ExitCodes.Ok, error);
        var account = Json(output);
        Assert.Equal("acc-00", account.GetProperty("accountId").GetString());
        var position = Assert.Single(account.GetProperty("positions").EnumerateArray());
        Assert.Equal(("BTC-PERP", 1000m), (position.GetProperty("symbol").GetString(), position.GetProperty("quantity").GetDecimal()));
        var missing = await ThreeNodeCluster.Cm(via, "account", "show", "nobody");
        Assert.Equal(ExitCodes.Negative, missing.Exit);
    }

    [Fact]
    public async Task Margin_explain_on_a_node_that_does_not_own_the_account_gives_the_owners_assessment()
    {
        var (owner, _) = await LocateAsync("acc-00");
        var home = cluster.Nodes.Single(n => n.Name == owner);
        var via = cluster.Nodes.First(n => n.Name != owner);

        var (exit, output, error) = await ThreeNodeCluster.Cm(via, "margin", "explain", "acc-00", "--json");
        var atOwner = await ThreeNodeCluster.Cm(home, "margin", "explain", "acc-00", "--json");

        Assert.True(exit == ExitCodes.Ok, error);
        Assert.True(atOwner.Exit == ExitCodes.Ok, atOwner.Error);
        var (remote, local) = (Json(output), Json(atOwner.Output));
        Assert.Equal("acc-00", remote.GetProperty("accountId").GetString());
        Assert.True(remote.GetProperty("maintenanceMarginUsd").GetDecimal() > 0, output);
        foreach (var field in new[] { "equityUsd", "collateralValueUsd", "initialMarginUsd", "maintenanceMarginUsd" })
        {
            Assert.Equal(local.GetProperty(field).GetDecimal(), remote.GetProperty(field).GetDecimal());
        }

        var usdt = remote.GetProperty("collateral").EnumerateArray().Single(c => c.GetProperty("asset").GetString() == "USDT");
        Assert.Equal(1000m, usdt.GetProperty("amount").GetDecimal());
        var table = await ThreeNodeCluster.Cm(via, "margin", "explain", "acc-00");
        Assert.True(table.Exit == ExitCodes.Ok, table.Error);
        Assert.Contains("Account acc-00", table.Output, StringComparison.Ordinal);
        var missing = await ThreeNodeCluster.Cm(via, "margin", "explain", "nobody");
        Assert.Equal(ExitCodes.Negative, missing.Exit);
        // Asked through the owner, the account did not come to life on the node asked (it would then be counted twice).
        var viaPart = await ThreeNodeCluster.PostAsync(via, "/api/v1/stress?scope=local", """{"spot":{"BTC":-0.3}}""");
        Assert.DoesNotContain("acc-00", viaPart.GetProperty("breaching").EnumerateArray().Select(b => b.GetProperty("accountId").GetString()));
    }

    [Fact]
    public async Task Stress_run_sums_every_nodes_local_part_into_exact_cluster_totals()
    {
        var (exit, output, error) = await ThreeNodeCluster.Cm(cluster.Nodes[1], "stress", "run", "--shock", "BTC=-30%", "--json");

        Assert.True(exit == ExitCodes.Ok, error);
        var report = Json(output);
        Assert.Equal(("cluster", false), (report.GetProperty("scope").GetString(), report.GetProperty("partial").GetBoolean()));
        var parts = new List<JsonElement>();
        foreach (var node in cluster.Nodes)
        {
            parts.Add(await ThreeNodeCluster.PostAsync(node, "/api/v1/stress?scope=local", """{"spot":{"BTC":-0.3}}"""));
        }

        var breaching = parts.SelectMany(p => p.GetProperty("breaching").EnumerateArray()).ToArray();
        Assert.Equal(ThreeNodeCluster.Longs.Count, parts.Sum(p => p.GetProperty("accountsEvaluated").GetInt32()));
        Assert.Equal(ThreeNodeCluster.Longs.Count, report.GetProperty("accountsEvaluated").GetInt32());
        Assert.Equal(breaching.Length, report.GetProperty("accountsBreaching").GetInt32());
        Assert.Equal(breaching.Sum(b => b.GetProperty("shortfallUsd").GetDecimal()), report.GetProperty("totalShortfallUsd").GetDecimal());
        Assert.Equal(breaching.Sum(b => b.GetProperty("deficitUsd").GetDecimal()), report.GetProperty("totalDeficitUsd").GetDecimal());
        Assert.Equal(breaching.Select(b => b.GetProperty("accountId").GetString()).Order(),
            report.GetProperty("breaching").EnumerateArray().Select(b => b.GetProperty("accountId").GetString()).Order());
        // The 1,000-contract longs lose 18,000 of their 1,000 USDT at -30%: bankrupt whichever node holds them.
        Assert.Contains("acc-00", breaching.Select(b => b.GetProperty("accountId").GetString()));
        Assert.DoesNotContain("acc-01", breaching.Select(b => b.GetProperty("accountId").GetString()));
        Assert.Equal(
            parts.Select(p => (p.GetProperty("nodes")[0].GetProperty("node").GetString(), p.GetProperty("accountsEvaluated").GetInt32())).Order(),
            report.GetProperty("nodes").EnumerateArray().Select(n => (n.GetProperty("node").GetString(), n.GetProperty("accountsEvaluated").GetInt32())).Order());
        var table = await ThreeNodeCluster.Cm(cluster.Nodes[0], "stress", "run", "--shock", "BTC=-30%");
        Assert.Equal(ExitCodes.Ok, table.Exit);
        Assert.Contains("Scope: cluster", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Risk_params_dry_run_counts_the_status_changes_of_every_members_accounts()
    {
        // Every BTC bracket's rates raised to at least 10% / 5%: the larger longs fall below their margin.
        var parameters = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(RepositoryRoot.Combine("config/risk/standard.json")))!;
        var (previousRate, previousAmount) = (0m, 0m);
        foreach (var bracket in parameters["standard"]!["riskLimits"]!["BTC"]!.AsArray())
        {
            var rate = Math.Max(bracket!["maintenanceRate"]!.GetValue<decimal>(), 0.05m);
            bracket["initialRate"] = Math.Max(bracket["initialRate"]!.GetValue<decimal>(), 0.1m);
            bracket["maintenanceRate"] = rate;
            // The published amount keeps the requirement continuous at the bracket's floor.
            previousAmount += bracket["floor"]!.GetValue<decimal>() * (rate - previousRate);
            bracket["maintenanceAmount"] = previousAmount;
            previousRate = rate;
        }

        var tightened = Path.Combine(Path.GetTempPath(), $"cm-tightened-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(tightened, parameters.ToJsonString());
        try
        {
            var (exit, output, error) = await ThreeNodeCluster.Cm(cluster.Nodes[2], "risk", "params", "set", tightened, "--dry-run", "--json",
                "--token", ThreeNodeCluster.AdminToken);

            Assert.True(exit == ExitCodes.Ok, error);
            var run = Json(output);
            Assert.Equal(("cluster", false), (run.GetProperty("scope").GetString(), run.GetProperty("partial").GetBoolean()));
            Assert.Equal(ThreeNodeCluster.Longs.Count, run.GetProperty("accountsEvaluated").GetInt32());
            var nodes = run.GetProperty("nodes").EnumerateArray().ToArray();
            Assert.Equal(["n1", "n2", "n3"], nodes.Select(n => n.GetProperty("node").GetString()));
            var changing = run.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("accountId").GetString()).ToArray();
            Assert.Equal(nodes.Sum(n => n.GetProperty("accountsFlagged").GetInt32()), run.GetProperty("accountsChangingStatus").GetInt32());
            Assert.Equal(changing.Length, run.GetProperty("accountsChangingStatus").GetInt32());
            Assert.Contains("acc-00", changing);
            Assert.DoesNotContain("acc-01", changing);
            var refused = await ThreeNodeCluster.Cm(cluster.Nodes[0], "risk", "params", "set", tightened, "--dry-run");
            Assert.Equal(ExitCodes.Unavailable, refused.Exit);
        }
        finally
        {
            File.Delete(tightened);
        }
    }

    [Fact]
    public async Task Risk_params_set_on_one_node_is_in_force_on_every_member_as_show_from_another_node_reports()
    {
        // The file in force applied again: every check passes (no status changes), and it becomes a stored version.
        var reason = "converge " + Guid.NewGuid().ToString("N")[..8];
        var (exit, output, error) = await ThreeNodeCluster.Cm(cluster.Nodes[0], "risk", "params", "set", RepositoryRoot.Combine("config/risk/standard.json"),
            "--reason", reason, "--json", "--token", ThreeNodeCluster.AdminToken);
        Assert.True(exit == ExitCodes.Ok, error);
        var applied = Json(output);
        Assert.Equal(("cluster", false, 0), (applied.GetProperty("scope").GetString(), applied.GetProperty("partial").GetBoolean(),
            applied.GetProperty("accountsChangingStatus").GetInt32()));
        var version = applied.GetProperty("storedVersion").GetInt64();

        JsonElement shown = default;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var show = await ThreeNodeCluster.Cm(cluster.Nodes[2], "risk", "params", "show", "--json");
            Assert.True(show.Exit == ExitCodes.Ok, show.Error);
            shown = Json(show.Output);
            var standards = shown.GetProperty("nodes").EnumerateArray()
                .Select(n => n.GetProperty("sets").EnumerateArray().Single(s => s.GetProperty("slot").GetString() == "standard"))
                .Select(s => s.TryGetProperty("storedVersion", out var v) ? v.GetInt64() : 0).ToArray();
            if (standards.Length == 3 && standards.All(v => v == version))
            {
                break;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"members did not converge on version {version}: {shown}");
            await Task.Delay(200);
        }

        Assert.Equal(["n1", "n2", "n3"], shown.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("node").GetString()));
        Assert.True(shown.GetProperty("converged").GetBoolean());
        var table = await ThreeNodeCluster.Cm(cluster.Nodes[1], "risk", "params", "show");
        Assert.Contains("every member runs the same versions", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    [ChangesTheCluster]
    public async Task A_member_that_refuses_its_part_makes_the_stress_partial_and_a_leaving_member_hands_its_shards_over()
    {
        // n4 opens no reads to anonymous callers: asked without a token it refuses its part; with one it answers.
        await using var n4 = await cluster.StartMemberAsync("n4", "--Security:AllowAnonymousReads=false");
        var four = cluster.Nodes.Append(n4).ToArray();
        await ThreeNodeCluster.SettledAsync(four, TimeSpan.FromSeconds(45));

        var anonymous = await ThreeNodeCluster.Cm(cluster.Nodes[0], "stress", "run", "--shock", "BTC=-30%", "--json");
        var authorised = await ThreeNodeCluster.Cm(cluster.Nodes[0], "stress", "run", "--shock", "BTC=-30%", "--json", "--token", ThreeNodeCluster.AdminToken);

        Assert.Equal(ExitCodes.Partial, anonymous.Exit);
        Assert.Contains("partial answer: no answer from n4", anonymous.Error, StringComparison.Ordinal);
        Assert.True(Json(anonymous.Output).GetProperty("partial").GetBoolean());
        Assert.True(authorised.Exit == ExitCodes.Ok, authorised.Error);
        var whole = Json(authorised.Output);
        Assert.False(whole.GetProperty("partial").GetBoolean());
        var parts = whole.GetProperty("nodes").EnumerateArray().ToArray();
        Assert.Equal(["n1", "n2", "n3", "n4"], parts.Select(p => p.GetProperty("node").GetString()));
        Assert.All(parts, p => Assert.True(p.GetProperty("answered").GetBoolean()));
        Assert.Equal(parts.Sum(p => p.GetProperty("accountsEvaluated").GetInt32()), whole.GetProperty("accountsEvaluated").GetInt32());

        var leave = await ThreeNodeCluster.Cm(cluster.Nodes[1], "cluster", "leave", "n4", "--token", ThreeNodeCluster.AdminToken, "--json");

        Assert.True(leave.Exit == ExitCodes.Ok, leave.Error);
        await ThreeNodeCluster.SettledAsync(cluster.Nodes, TimeSpan.FromSeconds(45));
        Assert.Empty(n4.Shards);
        var view = Json((await ThreeNodeCluster.Cm(cluster.Nodes[2], "cluster", "show", "--json")).Output);
        var gone = view.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "n4");
        Assert.Contains(gone.GetProperty("status").GetString(), new[] { "leaving", "left" });
        Assert.Equal(0, gone.GetProperty("shards").GetArrayLength());
    }

    [Fact]
    [ChangesTheCluster]
    public async Task A_member_whose_admin_address_refuses_connections_makes_stress_run_and_the_unsettled_list_partial_and_cm_exit_4()
    {
        // n5 serves shards like any member but advertises an admin address nothing listens on (port 9, discard).
        await using var n5 = await cluster.StartMemberAsync("n5", "--Cluster:HttpAddress=http://127.0.0.1:9");
        await ThreeNodeCluster.SettledAsync(cluster.Nodes.Append(n5).ToArray(), TimeSpan.FromSeconds(45));

        var (exit, output, error) = await ThreeNodeCluster.Cm(cluster.Nodes[0], "stress", "run", "--shock", "BTC=-30%", "--json", "--token", ThreeNodeCluster.AdminToken);
        var show = await ThreeNodeCluster.Cm(cluster.Nodes[1], "risk", "params", "show");
        var unsettled = await ThreeNodeCluster.Cm(cluster.Nodes[2], "expiry", "unsettled");

        Assert.Equal(ExitCodes.Partial, exit);
        Assert.Contains("warning: partial answer: no answer from ", error, StringComparison.Ordinal);
        Assert.True(error.Contains("n5 (unreachable at http://127.0.0.1:9/", StringComparison.Ordinal), error);
        var n5Part = Json(output).GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("node").GetString() == "n5");
        Assert.False(n5Part.GetProperty("answered").GetBoolean());
        Assert.Equal(ExitCodes.Partial, show.Exit);
        Assert.Contains("n5 (unreachable at http://127.0.0.1:9/", show.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Partial, unsettled.Exit);
        Assert.Contains("n5 (unreachable at http://127.0.0.1:9/", unsettled.Error, StringComparison.Ordinal);
        Assert.Contains("Scope: cluster (PARTIAL)", unsettled.Output, StringComparison.Ordinal);

        var leave = await ThreeNodeCluster.Cm(cluster.Nodes[1], "cluster", "leave", "n5", "--token", ThreeNodeCluster.AdminToken);
        Assert.True(leave.Exit == ExitCodes.Ok, leave.Error);
        await ThreeNodeCluster.SettledAsync(cluster.Nodes, TimeSpan.FromSeconds(45));
    }

    [Fact]
    [ChangesTheCluster]
    public async Task Downing_a_member_hands_its_shards_to_the_others_as_a_running_tail_and_cluster_show_report()
    {
        await using var n6 = await cluster.StartMemberAsync("n6");
        await ThreeNodeCluster.SettledAsync(cluster.Nodes.Append(n6).ToArray(), TimeSpan.FromSeconds(45));
        var held = n6.Shards.ToArray();
        Assert.NotEmpty(held);

        // n6's join and shard events reach each node's event feed within a second (it polls the table): let them pass
        // first, so the tail sees only what the down causes.
        await QuietAsync(cluster.Nodes[0], TimeSpan.FromSeconds(2.5));

        // The tail's first line is the membership it starts from, written once it follows the events: then down n6.
        var lines = new StringWriter();
        var tailOutput = TextWriter.Synchronized(lines);
        var tail = Task.Run(() => CliApp.Run(["cluster", "tail", "--count", "3", "--json", "--node", cluster.Nodes[0].Url.ToString()],
            TextReader.Null, tailOutput, TextWriter.Null, new NodeAccess { Environment = _ => null }));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Read().Length == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15) && !tail.IsCompleted, "cluster tail wrote nothing");
            await Task.Delay(50);
        }

        var down = await ThreeNodeCluster.Cm(cluster.Nodes[2], "cluster", "down", "n6", "--token", ThreeNodeCluster.AdminToken, "--json");

        Assert.True(down.Exit == ExitCodes.Ok, down.Error);
        Assert.Equal(ExitCodes.Ok, await tail.WaitAsync(TimeSpan.FromSeconds(45)));
        var events = Read().Select(l => Json(l)).ToArray();
        Assert.Equal(["member", "handoff", "handoff"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(("n6", "down"), (events[1].GetProperty("data").GetProperty("nodeId").GetString(), events[1].GetProperty("data").GetProperty("kind").GetString()));
        Assert.StartsWith("shard-", events[2].GetProperty("data").GetProperty("kind").GetString(), StringComparison.Ordinal);

        await ThreeNodeCluster.SettledAsync(cluster.Nodes, TimeSpan.FromSeconds(45));
        Assert.Empty(n6.Shards);
        var view = Json((await ThreeNodeCluster.Cm(cluster.Nodes[1], "cluster", "show", "--json")).Output);
        var members = view.GetProperty("members").EnumerateArray().ToArray();
        var downed = members.Single(m => m.GetProperty("name").GetString() == "n6");
        Assert.Equal(("down", 0), (downed.GetProperty("status").GetString(), downed.GetProperty("shards").GetArrayLength()));
        var taken = members.Where(m => m.GetProperty("status").GetString() == "up")
            .SelectMany(m => m.GetProperty("shards").EnumerateArray().Select(x => x.GetProperty("shardId").GetInt32())).Order();
        Assert.Equal(Enumerable.Range(0, ThreeNodeCluster.ShardCount), taken);
        var table = await ThreeNodeCluster.Cm(cluster.Nodes[0], "cluster", "show");
        Assert.Contains("down", table.Output, StringComparison.Ordinal);

        static async Task QuietAsync(ClusterNode via, TimeSpan quiet)
        {
            using var http = new HttpClient { BaseAddress = via.Url };
            var (last, since) = (-1L, System.Diagnostics.Stopwatch.StartNew());
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (since.Elapsed < quiet)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the cluster's events did not stop");
                var events = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/v1/cluster/events?after=0", UriKind.Relative))).RootElement;
                var newest = events.EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).DefaultIfEmpty(0).Max();
                if (newest != last)
                {
                    (last, since) = (newest, System.Diagnostics.Stopwatch.StartNew());
                }

                await Task.Delay(200);
            }
        }

        string[] Read()
        {
            lock (tailOutput)
            {
                return lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            }
        }
    }
}
