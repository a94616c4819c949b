using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Tests.Api;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// Whole nodes (Program's composition, on test servers) as members of one cluster over a private PostgreSQL and
/// RabbitMQ: accounts spread over the nodes' shards, any node answers for any account, and a node that dies loses
/// nothing and applies nothing twice.
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class ClusterModeTests(ClusterServers servers) : IAsyncLifetime
{
    private const int Shards = 8;
    private const string AdminToken = "cluster-test-admin-token-0123456789";
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.CreateAsync(servers, Shards);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private RabbitMqOptions Broker() => _cluster.Broker();

    private Task<NodeUnderTest> StartNodeAsync(string name) => _cluster.StartNodeAsync(name, "--Security:Tokens:ops:Token=" + AdminToken);

    private static EngineHost HostOf(NodeUnderTest node) => TestCluster.HostOf(node);

    private static Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan within, string what) => TestCluster.EventuallyAsync(condition, within, what);

    private Task AllShardsServedAsync(IEnumerable<NodeUnderTest> nodes, TimeSpan within) => _cluster.AllShardsServedAsync(nodes, within);

    private static async Task<HttpResponseMessage> AdminPostAsync(NodeUnderTest via, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        return await via.Client.SendAsync(request);
    }

    private static Task OpenAsync(NodeUnderTest via, string account) => TestCluster.OpenAsync(via, account);

    private static async Task<decimal?> UsdtOfAsync(NodeUnderTest via, string account) =>
        await TestCluster.AccountAsync(via, account) is { } view ? TestCluster.UsdtOf(view) : null;

    private static byte[] Deposit(string account, int sequence, decimal amount) => TestCluster.Deposit(account, sequence, amount);

    /// <summary>A connection as the venue, with RabbitMQ credentials of its own (not the cluster's guest).</summary>
    private async Task<RabbitMqConnection> VenueAsync()
    {
        var options = Broker();
        options.Uri = await servers.RabbitMq.AddUserAsync("venue-" + _cluster.Prefix, "venue-secret");
        return await RabbitMqConnection.ConnectAsync(options);
    }

    /// <summary>A queue of the test's own, on <paramref name="channel"/>, bound to every record on the rejections exchange.</summary>
    private async Task<string> RejectionsQueueAsync(RabbitMQ.Client.IChannel channel, TopologyNames names)
    {
        var queue = $"{_cluster.Prefix}.test.forged-rejections";
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue, names.Rejections, "#");
        return queue;
    }

    /// <summary>The JSON records on <paramref name="queue"/>, read until there are at least <paramref name="count"/> (15 s).</summary>
    private static async Task<List<JsonElement>> RecordsAsync(RabbitMQ.Client.IChannel channel, string queue, int count)
    {
        var records = new List<JsonElement>();
        await EventuallyAsync(async () =>
        {
            while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            {
                using var body = JsonDocument.Parse(message.Body);
                records.Add(body.RootElement.Clone());
            }

            return records.Count >= count;
        }, TimeSpan.FromSeconds(15), $"{count} records on {queue}");
        return records;
    }

    [Fact]
    public async Task An_id_reused_with_another_amount_is_refused_409_by_the_owner_and_a_true_retry_through_another_node_is_a_duplicate()
    {
        var nodes = new[] { await StartNodeAsync("n1"), await StartNodeAsync("n2") };
        await AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        await OpenAsync(nodes[0], "acc-r");
        using var applied = await PostDepositAsync(nodes[0], Deposit("acc-r", 1, 100.25m));
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);

        using var reused = await PostDepositAsync(nodes[1], Deposit("acc-r", 1, 200m));
        using var retried = await PostDepositAsync(nodes[1], Deposit("acc-r", 1, 100.250m));

        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Contains("\"idReused\"", await reused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Contains("duplicate", await retried.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(100.25m, await UsdtOfAsync(nodes[0], "acc-r"));
    }

    private static Task<HttpResponseMessage> PostDepositAsync(NodeUnderTest via, byte[] deposit) =>
        via.Client.PostAsync(new Uri("/api/v1/deposits", UriKind.Relative), new ByteArrayContent(deposit) { Headers = { ContentType = new("application/json") } });

    [Fact]
    public async Task Three_nodes_share_the_shards_and_any_node_answers_for_any_account()
    {
        var nodes = new[] { await StartNodeAsync("n1"), await StartNodeAsync("n2"), await StartNodeAsync("n3") };
        await AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));

        var accounts = Enumerable.Range(0, 12).Select(i => $"acc-{i}").ToArray();
        foreach (var account in accounts)
        {
            await OpenAsync(nodes[0], account);
            var deposit = await nodes[1].Client.PostAsync("/api/v1/deposits", new ByteArrayContent(Deposit(account, 1, 100.25m)) { Headers = { ContentType = new("application/json") } });
            Assert.Equal(HttpStatusCode.OK, deposit.StatusCode);
        }

        foreach (var account in accounts)
        {
            Assert.Equal(100.25m, await UsdtOfAsync(nodes[2], account));
        }

        Assert.All(nodes, n => Assert.NotEmpty(HostOf(n).Cluster!.Node.Shards));
        var again = await nodes[2].Client.PostAsync("/api/v1/deposits", new ByteArrayContent(Deposit(accounts[0], 1, 100.25m)) { Headers = { ContentType = new("application/json") } });
        Assert.Contains("duplicate", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await nodes[0].Client.GetAsync("/api/v1/accounts/nobody")).StatusCode);

        // The pre-trade check is answered by the owner too: 1 contract fits in 100.25 USDT, 100,000 do not.
        Assert.True(await PreTradeAcceptedAsync(nodes[2], accounts[3], 1m));
        Assert.False(await PreTradeAcceptedAsync(nodes[0], accounts[3], 100_000m));
        var unknown = await nodes[1].Client.PostAsJsonAsync("/api/v1/pre-trade",
            new { messageId = "q-nobody", accountId = "nobody", symbol = "BTC-PERP", side = "buy", quantity = 1m, price = 60000m });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // A cluster node reports its transport: the outbound backlog and the deliveries held for a sequence gap.
        var metrics = await nodes[0].Client.GetStringAsync("/metrics");
        Assert.Contains("crossmargin_outbound_backlog", metrics, StringComparison.Ordinal);
        Assert.Contains("crossmargin_shard_held_deliveries", metrics, StringComparison.Ordinal);
        Assert.Contains("crossmargin_cluster_refused_plan_writes_total ", metrics, StringComparison.Ordinal);
    }

    private static async Task<bool> PreTradeAcceptedAsync(NodeUnderTest via, string account, decimal quantity)
    {
        var response = await via.Client.PostAsJsonAsync("/api/v1/pre-trade",
            new { messageId = $"q-{account}-{quantity}", accountId = account, symbol = "BTC-PERP", side = "buy", quantity, price = 60000m });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("accepted").GetBoolean();
    }

    [Fact]
    public async Task A_venue_message_refused_from_a_shard_queue_is_published_on_the_rejections_exchange_recorded_and_counted()
    {
        var node = await StartNodeAsync("n1");
        await AllShardsServedAsync([node], TimeSpan.FromSeconds(30));
        await OpenAsync(node, "acc-r");

        // The venue's side: a queue on the rejections exchange, and fire-and-forget publishes (no reply asked for).
        await using var connection = await RabbitMqConnection.ConnectAsync(Broker());
        await using var channel = await connection.CreateChannelAsync(publisherConfirms: false);
        var queue = $"{_cluster.Prefix}.test.rejections";
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue, connection.Names.Rejections, "#");
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        await publisher.PublishAsync(connection.Names.Accounts, "acc-r", Deposit("acc-r", 1, 10m), TestCluster.DepositId("acc-r", 1), "deposit");
        await publisher.PublishAsync(connection.Names.Accounts, "acc-nobody", Deposit("acc-nobody", 1, 10m), TestCluster.DepositId("acc-nobody", 1), "deposit");
        await publisher.PublishAsync(connection.Names.Accounts, "acc-r", System.Text.Encoding.UTF8.GetBytes(
            """{"messageId":"bad-w","source":"wallet","sequence":1,"accountId":"acc-r","asset":"USDT","amount":-1}"""), "bad-w", "withdrawal");
        // A sound body under another message_id: the transport and the account would know it by two different ids.
        await publisher.PublishAsync(connection.Names.Accounts, "acc-r", Deposit("acc-r", 2, 5m), "not-the-body-id", "deposit");

        var records = await RecordsAsync(channel, queue, 3);

        // The good deposit applied; each refusal says which message, which account, why, and where it was refused.
        Assert.Equal(10m, await UsdtOfAsync(node, "acc-r"));
        var byId = records.ToDictionary(r => r.GetProperty("messageId").GetString()!);
        Assert.Equal(3, byId.Count);
        var misnamed = byId[TestCluster.DepositId("acc-r", 2)];
        Assert.Equal(("malformed", "messageId"), (misnamed.GetProperty("code").GetString(), misnamed.GetProperty("violations")[0].GetProperty("field").GetString()));
        Assert.Contains("not-the-body-id", misnamed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var unknown = byId[TestCluster.DepositId("acc-nobody", 1)];
        Assert.Equal(("acc-nobody", "deposit", "unknownAccount", "shard", "n1"), (unknown.GetProperty("accountId").GetString(), unknown.GetProperty("type").GetString(),
            unknown.GetProperty("code").GetString(), unknown.GetProperty("path").GetString(), unknown.GetProperty("node").GetString()));
        var malformed = byId["bad-w"];
        Assert.Equal(("malformed", "withdrawal"), (malformed.GetProperty("code").GetString(), malformed.GetProperty("type").GetString()));
        Assert.Contains("amount", malformed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("amount", malformed.GetProperty("violations")[0].GetProperty("field").GetString());

        // The node that refused them keeps them for operators, and counts them under the shard path.
        var kept = (await node.Client.GetFromJsonAsync<JsonElement>("/api/v1/rejections")).GetProperty("rejections").EnumerateArray()
            .Select(r => r.GetProperty("messageId").GetString()).ToArray();
        Assert.Contains("bad-w", kept);
        Assert.Contains(TestCluster.DepositId("acc-nobody", 1), kept);
        var metrics = await node.Client.GetStringAsync("/metrics");
        Assert.Contains("crossmargin_rejections_total{path=\"shard\",reason=\"malformed\",type=\"withdrawal\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("crossmargin_rejections_total{path=\"shard\",reason=\"malformed\",type=\"deposit\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("crossmargin_messages_total{outcome=\"accepted\",path=\"shard\",type=\"deposit\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_simulator_on_one_node_drives_accounts_on_every_node_and_its_crash_is_liquidated_through_the_broker()
    {
        var driver = await _cluster.StartNodeAsync("n1", "--Simulator:Enabled=true", "--Simulator:Traders=40", "--Simulator:TickInterval=00:00:00.100",
            "--Simulator:CrashAfter=00:00:08", "--Simulator:CrashDuration=00:00:04");
        var other = await StartNodeAsync("n2");
        await AllShardsServedAsync([driver, other], TimeSpan.FromSeconds(30));

        // Every trader is opened and funded, wherever its shard lives; some live on the node without the simulator.
        var traders = Enumerable.Range(1, 40).Select(i => $"trader-{i:0000}").ToArray();
        await EventuallyAsync(async () =>
        {
            foreach (var trader in traders)
            {
                if (await TestCluster.AccountAsync(other, trader) is not { } view || view.GetProperty("balances").GetArrayLength() == 0)
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(60), "every simulated trader opened and funded through the broker");
        var onOther = HostOf(other).Cluster!.Node.Shards.Keys.ToHashSet();
        Assert.Contains(traders, t => onOther.Contains(CrossMargin.Cluster.Sharding.ShardIds.Of(t, _cluster.Shards)));

        // The crash breaches leveraged traders; the singleton's orders reach the simulator on the outbound exchange, its
        // fills come back through the shard queues and its reports through the liquidation queue: fees reach the fund.
        await EventuallyAsync(async () =>
        {
            using var fund = JsonDocument.Parse(await other.Client.GetStringAsync("/api/v1/insurance-fund"));
            return fund.RootElement.GetProperty("history").EnumerateArray().Any(m => m.GetProperty("kind").GetString() == "feeCollected");
        }, TimeSpan.FromSeconds(120), "a liquidation fill reported by the simulator and its fee collected by the fund");
        using var liquidations = JsonDocument.Parse(await driver.Client.GetStringAsync("/api/v1/liquidations"));
        Assert.NotEmpty(liquidations.RootElement.GetProperty("liquidations").EnumerateArray());
    }

    [Fact]
    public async Task The_simulated_venue_asks_the_pre_trade_check_of_the_accounts_owner_through_the_broker()
    {
        var nodes = new[] { await StartNodeAsync("n1"), await StartNodeAsync("n2") };
        await AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        await OpenAsync(nodes[0], "acc-venue");
        (await nodes[0].Client.PostAsJsonAsync("/api/v1/deposits", new { messageId = "d1", source = "wallet", sequence = 1, accountId = "acc-venue", asset = "USDT", amount = 1_000m }))
            .EnsureSuccessStatusCode();
        await using var venue = await Node.Simulation.ClusterVenueLink.StartAsync(HostOf(nodes[1]).Cluster!, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Null(await venue.CheckAsync(Simulation.EmbeddedVenueLinkTests.Order("c1", "acc-venue", 1m), CancellationToken.None));
        Assert.Contains("initial margin", await venue.CheckAsync(Simulation.EmbeddedVenueLinkTests.Order("c2", "acc-venue", 10_000m), CancellationToken.None),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_coordinator_command_that_skips_ahead_waits_for_the_missing_one_instead_of_losing_it()
    {
        var node = await StartNodeAsync("n1");
        await AllShardsServedAsync([node], TimeSpan.FromSeconds(30));
        await OpenAsync(node, "acc-gap");

        // The coordinator's commands for one account, as a hand-off can deliver them: its second before its first.
        await using var connection = await RabbitMqConnection.ConnectAsync(Broker());
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        foreach (var (sequence, amount) in new[] { (2L, 3m), (1L, 5m) })
        {
            var command = new Engine.Accounts.CoverDeficit($"liq-1:cover-{sequence}", "liquidation", sequence, "USDT", amount);
            var body = JsonSerializer.SerializeToUtf8Bytes(command, Node.Clustering.ClusterWireJsonContext.Default.CoverDeficit);
            await publisher.PublishAsync(connection.Names.Accounts, "acc-gap", body, command.MessageId, Node.Clustering.ClusterMessageTypes.CoverDeficit,
                new PublishOptions { UserId = connection.UserName });
        }

        // Applied at once, the second would have made the first out of order (refused: 3 instead of 8).
        await EventuallyAsync(async () => await UsdtOfAsync(node, "acc-gap") == 8m, TimeSpan.FromSeconds(15), "both deficit covers applied");
    }

    [Fact]
    public async Task A_coordinator_command_published_by_another_rabbitmq_user_is_refused_unapplied_unanswered_and_on_the_rejections_exchange()
    {
        var node = await StartNodeAsync("n1");
        await AllShardsServedAsync([node], TimeSpan.FromSeconds(30));
        await OpenAsync(node, "acc-forged");

        // The venue with RabbitMQ credentials of its own, publishing the coordinator's types to the accounts exchange.
        await using var venue = await VenueAsync();
        await using var channel = await venue.CreateChannelAsync(publisherConfirms: false);
        var queue = await RejectionsQueueAsync(channel, venue.Names);
        await using var publisher = await ConfirmingPublisher.CreateAsync(venue);
        var signed = new Engine.Accounts.CoverDeficit("liq-x:cover-1", "liquidation", 1, "USDT", 1_000_000m);
        var unsigned = new Engine.Accounts.CoverDeficit("liq-x:cover-2", "liquidation", 2, "USDT", 1_000_000m);
        await publisher.PublishAsync(venue.Names.Accounts, "acc-forged", JsonSerializer.SerializeToUtf8Bytes(signed, Node.Clustering.ClusterWireJsonContext.Default.CoverDeficit),
            signed.MessageId, Node.Clustering.ClusterMessageTypes.CoverDeficit, new PublishOptions { UserId = venue.UserName });
        await publisher.PublishAsync(venue.Names.Accounts, "acc-forged", JsonSerializer.SerializeToUtf8Bytes(unsigned, Node.Clustering.ClusterWireJsonContext.Default.CoverDeficit),
            unsigned.MessageId, Node.Clustering.ClusterMessageTypes.CoverDeficit);

        // A coordinator view request from the venue gets no answer (no account data).
        await using var requests = await RequestClient.StartAsync(venue, "venue");
        await Assert.ThrowsAsync<TimeoutException>(() => requests.RequestAsync(venue.Names.Accounts, "acc-forged", "{}"u8.ToArray(), "view-1",
            Node.Clustering.ClusterMessageTypes.GetAccountView, TimeSpan.FromSeconds(3)));

        var records = await RecordsAsync(channel, queue, 3);

        // Refused, not applied: the balance the deficit covers would have credited is still nothing.
        Assert.Equal(0m, await UsdtOfAsync(node, "acc-forged"));
        var byId = records.ToDictionary(r => r.GetProperty("messageId").GetString()!);
        Assert.Equal(["liq-x:cover-1", "liq-x:cover-2", "view-1"], byId.Keys.Order(StringComparer.Ordinal));
        Assert.All(byId.Values, r => Assert.Equal(("forbidden", "shard", "acc-forged"),
            (r.GetProperty("code").GetString(), r.GetProperty("path").GetString(), r.GetProperty("accountId").GetString())));
        Assert.Contains(venue.UserName, byId["liq-x:cover-1"].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(Node.Clustering.ClusterMessageTypes.CoverDeficit, byId["liq-x:cover-2"].GetProperty("type").GetString());
        var metrics = await node.Client.GetStringAsync("/metrics");
        Assert.Contains("crossmargin_rejections_total{path=\"shard\",reason=\"forbidden\",type=\"internal.coverDeficit\"} 2", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Venue_messages_for_the_insurance_funds_own_account_are_refused_forbidden_through_the_api_and_the_shard_queue()
    {
        const string fund = "insurance-fund";
        var node = await _cluster.StartNodeAsync("n1", "--Security:Tokens:ops:Token=" + AdminToken, "--Liquidation:FundAccount=" + fund);
        await AllShardsServedAsync([node], TimeSpan.FromSeconds(30));

        // Straight onto the accounts exchange, past the HTTP edge: a deposit that would open nothing but move the fund's money.
        await using var venue = await VenueAsync();
        await using var channel = await venue.CreateChannelAsync(publisherConfirms: false);
        var queue = await RejectionsQueueAsync(channel, venue.Names);
        await using var publisher = await ConfirmingPublisher.CreateAsync(venue);
        await publisher.PublishAsync(venue.Names.Accounts, fund, Deposit(fund, 1, 10m), TestCluster.DepositId(fund, 1), "deposit");
        var record = Assert.Single(await RecordsAsync(channel, queue, 1));
        Assert.Equal(("forbidden", "shard", fund, "deposit"), (record.GetProperty("code").GetString(), record.GetProperty("path").GetString(),
            record.GetProperty("accountId").GetString(), record.GetProperty("type").GetString()));

        // Through the API: a venue opening the id first would have its account taken for the fund's.
        using var opened = await node.Client.PostAsJsonAsync("/api/v1/accounts",
            new { messageId = "open-fund", source = "accounts", sequence = 1, accountId = fund, mode = "standard" });
        Assert.Equal(HttpStatusCode.Forbidden, opened.StatusCode);
        using var answer = JsonDocument.Parse(await opened.Content.ReadAsStringAsync());
        Assert.Equal("forbidden", answer.RootElement.GetProperty("code").GetString());
        Assert.Contains("Liquidation:FundAccount", answer.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);

        using var view = await node.Client.GetAsync($"/api/v1/accounts/{fund}");
        Assert.Equal(HttpStatusCode.NotFound, view.StatusCode);
        var metrics = await node.Client.GetStringAsync("/metrics");
        Assert.Contains("crossmargin_rejections_total{path=\"shard\",reason=\"forbidden\",type=\"deposit\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("crossmargin_rejections_total{path=\"api\",reason=\"forbidden\",type=\"accountOpened\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_liquidation_queue_and_the_account_views_query_refuse_another_rabbitmq_user_unanswered_and_on_the_rejections_exchange()
    {
        var node = await StartNodeAsync("n1");
        await AllShardsServedAsync([node], TimeSpan.FromSeconds(30));
        await EventuallyAsync(() => Task.FromResult(HostOf(node).Cluster!.Liquidation is not null), TimeSpan.FromSeconds(30), "the node holds the liquidation singleton");

        // The venue with RabbitMQ credentials of its own, writing where only nodes write.
        await using var venue = await VenueAsync();
        await using var channel = await venue.CreateChannelAsync(publisherConfirms: false);
        var queue = await RejectionsQueueAsync(channel, venue.Names);
        await using var requests = await RequestClient.StartAsync(venue, "venue");

        // A fund deposit and the fund itself asked of the singleton's holder, as a node relays an operator's request.
        var deposit = JsonSerializer.SerializeToUtf8Bytes(new Engine.Liquidations.DepositToInsuranceFund("forged-1", "USDT", 1_000_000m),
            Node.Clustering.ClusterWireJsonContext.Default.DepositToInsuranceFund);
        await Assert.ThrowsAsync<TimeoutException>(() => requests.RequestAsync("", venue.Names.Liquidation, deposit, "fund-deposit-1",
            Node.Clustering.ClusterMessageTypes.FundDeposit, TimeSpan.FromSeconds(3)));
        await Assert.ThrowsAsync<TimeoutException>(() => requests.RequestAsync("", venue.Names.Liquidation, "{}"u8.ToArray(), "fund-show-1",
            Node.Clustering.ClusterMessageTypes.ShowFund, TimeSpan.FromSeconds(3)));

        // The auto-deleveraging query for every node's accounts in an underlying: no node answers it (each would, with its list).
        var query = JsonSerializer.SerializeToUtf8Bytes(new Node.Clustering.AccountViewsQuery(["BTC"]), Node.Clustering.ClusterWireJsonContext.Default.AccountViewsQuery);
        Assert.Empty(await requests.CollectAsync(venue.Names.Requests, TopologyNames.AccountViewsKey, query, "views-1",
            Node.Clustering.ClusterMessageTypes.AccountViews, TimeSpan.FromSeconds(3)));

        var records = await RecordsAsync(channel, queue, 3);
        var byId = records.ToDictionary(r => r.GetProperty("messageId").GetString()!);
        Assert.Equal(["fund-deposit-1", "fund-show-1", "views-1"], byId.Keys.Order(StringComparer.Ordinal));
        Assert.All(byId.Values, r => Assert.Equal("forbidden", r.GetProperty("code").GetString()));
        Assert.Equal(["liquidation", "liquidation", "requests"], byId.Values.OrderBy(r => r.GetProperty("messageId").GetString(), StringComparer.Ordinal)
            .Select(r => r.GetProperty("path").GetString()));
        Assert.Contains(venue.UserName, byId["fund-deposit-1"].GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Not applied: the fund holds nothing.
        using (var fund = JsonDocument.Parse(await node.Client.GetStringAsync("/api/v1/insurance-fund")))
        {
            Assert.False(fund.RootElement.GetProperty("balances").TryGetProperty("USDT", out _), fund.RootElement.ToString());
        }

        var metrics = await node.Client.GetStringAsync("/metrics");
        Assert.Contains("crossmargin_rejections_total{path=\"liquidation\",reason=\"forbidden\",type=\"insuranceFund.deposit\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("crossmargin_rejections_total{path=\"requests\",reason=\"forbidden\",type=\"accountViews\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_logging_in_to_rabbitmq_as_another_user_than_the_running_node_does_not_start_and_names_both_users()
    {
        var node = await StartNodeAsync("n1");
        var other = await servers.RabbitMq.AddUserAsync("other-" + _cluster.Prefix, "other-secret");

        var failed = await Assert.ThrowsAnyAsync<Exception>(() => _cluster.StartNodeAsync("n2", "--RabbitMq:Uri=" + other));

        var refused = Assert.IsType<Cluster.Membership.BrokerUserMismatchException>(Chain(failed).Last(e => e is Cluster.Membership.BrokerUserMismatchException));
        Assert.Contains($"'n2' logs in to RabbitMQ as 'other-{_cluster.Prefix}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("live member 'n1' logs in as 'guest'", refused.Message, StringComparison.Ordinal);
        var members = await HostOf(node).Cluster!.Membership.ReadMembersAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([("n1", "guest")], members.Select(m => (m.NodeId, m.BrokerUser)));

        static IEnumerable<Exception> Chain(Exception? e)
        {
            for (; e is not null; e = e.InnerException)
            {
                yield return e;
                if (e is AggregateException aggregate)
                {
                    foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                    {
                        yield return inner;
                    }
                }
            }
        }
    }

    [Fact]
    public async Task A_node_killed_while_deposits_stream_in_loses_none_and_applies_none_twice()
    {
        var nodes = new List<NodeUnderTest> { await StartNodeAsync("n1"), await StartNodeAsync("n2"), await StartNodeAsync("n3") };
        await AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        var accounts = Enumerable.Range(0, 24).Select(i => $"acc-{i}").ToArray();
        foreach (var account in accounts)
        {
            await OpenAsync(nodes[0], account);
        }

        // The venue's side: deposits published straight to the accounts exchange, in order per account, each with its id.
        await using var connection = await RabbitMqConnection.ConnectAsync(Broker());
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var ledger = accounts.ToDictionary(a => a, _ => 0m);
        var messages = new List<(string Account, int Sequence, decimal Amount)>();
        for (var sequence = 1; sequence <= 25; sequence++)
        {
            foreach (var account in accounts)
            {
                var amount = decimal.Round(sequence * 1.01m + account.Length * 0.07m, 2);
                messages.Add((account, sequence, amount));
                ledger[account] += amount;
            }
        }

        // Every shard has an owner as soon as the first node took them all; the others get theirs as the coordinator
        // rebalances, a few at a time. The victim must hold some when it dies.
        var victim = nodes[1];
        await EventuallyAsync(() => Task.FromResult(HostOf(victim).Cluster!.Node.Shards.Count > 0), TimeSpan.FromSeconds(30), "the victim holds shards");
        var victimShards = HostOf(victim).Cluster!.Node.Shards.Keys.ToArray();
        for (var i = 0; i < messages.Count; i++)
        {
            if (i == messages.Count / 3)
            {
                await HostOf(victim).Cluster!.CrashAsync();   // kill -9: no hand-off, leases left to expire, deliveries unacked
                nodes.Remove(victim);
            }

            var (account, sequence, amount) = messages[i];
            await publisher.PublishAsync(connection.Names.Accounts, account, Deposit(account, sequence, amount), $"dep-{account}-{sequence}", "deposit");
        }

        // And a redelivery storm: the first third again, same ids.
        foreach (var (account, sequence, amount) in messages.Take(messages.Count / 3).Where((_, i) => i % 3 == 0))
        {
            await publisher.PublishAsync(connection.Names.Accounts, account, Deposit(account, sequence, amount), $"dep-{account}-{sequence}", "deposit");
        }

        var failover = Stopwatch.StartNew();
        await AllShardsServedAsync(nodes, TimeSpan.FromSeconds(20));
        failover.Stop();
        await EventuallyAsync(async () =>
        {
            foreach (var account in accounts)
            {
                if (await UsdtOfAsync(nodes[0], account) != ledger[account])
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(60), "every balance equals the ledger");

        foreach (var account in accounts)
        {
            Assert.Equal(ledger[account], await UsdtOfAsync(nodes[1], account));
        }

        foreach (var shard in victimShards)
        {
            // Taken over, not handed over: the survivor holds the dead node's shard at a later epoch.
            var lease = nodes.Select(n => HostOf(n).Cluster!.Node.Shards).Single(s => s.ContainsKey(shard))[shard];
            Assert.True(lease.Epoch >= 2, $"shard {shard} at epoch {lease.Epoch}");
        }

        Assert.True(failover.Elapsed < TimeSpan.FromSeconds(10), $"shards served again after {failover.Elapsed}");
    }

    [Fact]
    public async Task Any_node_shows_the_whole_cluster_locates_accounts_and_lets_an_operator_make_a_member_leave()
    {
        var nodes = new[] { await StartNodeAsync("n1"), await StartNodeAsync("n2"), await StartNodeAsync("n3") };
        await AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        await OpenAsync(nodes[0], "acc-located");

        using (var view = JsonDocument.Parse(await nodes[2].Client.GetStringAsync("/api/v1/cluster")))
        {
            var members = view.RootElement.GetProperty("members").EnumerateArray().ToArray();
            Assert.Equal("cluster", view.RootElement.GetProperty("mode").GetString());
            Assert.Equal(["n1", "n2", "n3"], members.Select(m => m.GetProperty("name").GetString()));
            Assert.Equal(Shards, members.Sum(m => m.GetProperty("shards").GetArrayLength()));
        }

        using (var located = JsonDocument.Parse(await nodes[1].Client.GetStringAsync("/api/v1/sharding/regions/account/locate/acc-located")))
        {
            var owner = nodes.Single(n => HostOf(n).Node.Name == located.RootElement.GetProperty("owner").GetString());
            var shard = located.RootElement.GetProperty("shardId").GetInt32();
            Assert.Equal(HostOf(owner).Cluster!.Node.Shards[shard].Epoch, located.RootElement.GetProperty("epoch").GetInt64());
        }

        using var tail = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stream = await nodes[1].Client.GetAsync("/api/events?types=handoff,member", HttpCompletionOption.ResponseHeadersRead, tail.Token);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(tail.Token));
        // The stream opens with the cluster's view, written once it has subscribed: from then on it follows what happens
        // (waited for, not slept on: a loaded machine may take longer than any pause to get there).
        string? line;
        do
        {
            line = await reader.ReadLineAsync(tail.Token);
        }
        while (line is not null && line != "event: member");

        Assert.NotNull(line);
        var leave = await AdminPostAsync(nodes[0], "/api/v1/cluster/members/n3/leave");
        Assert.Equal(HttpStatusCode.Accepted, leave.StatusCode);
        await AllShardsServedAsync(nodes.Take(2), TimeSpan.FromSeconds(20));
        Assert.Empty(HostOf(nodes[2]).Cluster!.Node.Shards);
        Assert.Equal(100m, await DepositAndReadAsync(nodes[2], "acc-located", 100m));
        Assert.Equal(HttpStatusCode.NotFound, (await AdminPostAsync(nodes[0], "/api/v1/cluster/members/nobody/down")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nodes[0].Client.PostAsync("/api/v1/cluster/members/n2/down", null)).StatusCode);
        var events = await nodes[1].Client.GetStringAsync("/api/v1/cluster/events");
        Assert.Contains("shard-released", events, StringComparison.Ordinal);

        // cm cluster tail follows the same history live, from any node.
        do
        {
            line = await reader.ReadLineAsync(tail.Token);
        }
        while (line is not null && !(line.Contains("\"kind\":\"shard-released\"", StringComparison.Ordinal) && line.Contains("n3", StringComparison.Ordinal)));

        Assert.NotNull(line);
    }

    private static async Task<decimal?> DepositAndReadAsync(NodeUnderTest via, string account, decimal amount)
    {
        var response = await via.Client.PostAsync("/api/v1/deposits", new ByteArrayContent(Deposit(account, 1, amount)) { Headers = { ContentType = new("application/json") } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await UsdtOfAsync(via, account);
    }
}
