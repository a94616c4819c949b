using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Tests.Api;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// Liquidation in a cluster of whole nodes over a private PostgreSQL and RabbitMQ: the coordinator and the insurance
/// fund run on the holder of the liquidation singleton lease, an account on any node is liquidated through the broker,
/// every node answers for liquidations and the fund, and the singleton survives the death of its holder.
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class ClusterLiquidationTests(ClusterServers servers, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Shards = 4;
    private const string Account = "acc-lev";
    private const string AdminToken = "cluster-test-admin-token-0123456789";
    private TestCluster _cluster = null!;
    private int _venueSequence;

    public async Task InitializeAsync() => _cluster = await TestCluster.CreateAsync(servers, Shards);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task An_account_breached_on_one_node_is_liquidated_by_the_singleton_with_orders_on_the_exchange_reports_through_any_node_and_the_fee_in_the_fund()
    {
        var nodes = new[] { await StartNodeAsync("n1"), await StartNodeAsync("n2"), await StartNodeAsync("n3") };
        var holder = await SingletonHolderAsync(nodes, TimeSpan.FromSeconds(30));
        await using var venue = await VenueAsync();
        await OpenLeveragedAsync(nodes[0]);

        await CrashBtcAsync(nodes[1]);

        var cancel = await venue.NextAsync("cancel-all", TimeSpan.FromSeconds(20));
        Assert.Equal(Account, cancel.GetProperty("accountId").GetString());
        var order = await venue.NextAsync("liquidation-orders", TimeSpan.FromSeconds(20));
        Assert.Equal(Account, order.GetProperty("accountId").GetString());
        Assert.True(order.GetProperty("reduceOnly").GetBoolean());
        Assert.True(order.GetProperty("immediateOrCancel").GetBoolean());
        Assert.Equal("sell", order.GetProperty("side").GetString(), StringComparer.OrdinalIgnoreCase);
        using (var view = await GetJsonAsync(nodes[2], $"/api/v1/accounts/{Account}"))
        {
            Assert.Empty(view.RootElement.GetProperty("openOrders").EnumerateArray());
        }

        // The venue fills it and reports through a node that runs neither the account nor the coordinator, necessarily.
        var quantity = order.GetProperty("quantity").GetDecimal();
        var reporter = nodes.First(n => n != holder);
        await FillAsync(reporter, order, quantity);
        await EventuallyAsync(async () => await PositionAsync(nodes[0]) == 1000m - quantity, TimeSpan.FromSeconds(20), "the position reduced by the fill");
        await EventuallyAsync(async () => await FundUsdtAsync(nodes[2]) > 0m, TimeSpan.FromSeconds(20), "the liquidation fee in the fund");

        var liquidationId = order.GetProperty("liquidationId").GetString()!;
        var fee = await ReportedFeesAsync(nodes[0], liquidationId);
        Assert.True(fee > 0m);
        foreach (var node in nodes)
        {
            Assert.Equal(fee, await FundUsdtAsync(node));
            using var list = await GetJsonAsync(node, "/api/v1/liquidations");
            Assert.Equal([liquidationId], list.RootElement.GetProperty("liquidations").EnumerateArray().Select(l => l.GetProperty("liquidationId").GetString()));
        }

        // Operators act through any node too: a fund deposit and a halt, seen from the others.
        var deposit = await AdminAsync(nodes[1], HttpMethod.Post, "/api/v1/insurance-fund/deposits", new { requestId = "top-up-1", asset = "USDT", amount = 100m });
        Assert.Equal(HttpStatusCode.OK, deposit.StatusCode);
        Assert.Equal(fee + 100m, await FundUsdtAsync(nodes[2]));
        var cover = await AdminAsync(nodes[1], HttpMethod.Post, "/api/v1/insurance-fund/uncovered-covers", new { requestId = "cover-1", accountId = "acc-other" });
        Assert.Equal(HttpStatusCode.Conflict, cover.StatusCode);
        using (var refused = JsonDocument.Parse(await cover.Content.ReadAsStringAsync()))
        {
            Assert.Equal("Nothing is recorded uncovered for acc-other.", refused.RootElement.GetProperty("reason").GetString());
        }

        using (var exposure = await GetJsonAsync(nodes[2], "/api/v1/insurance-fund"))
        {
            Assert.Equal(0m, exposure.RootElement.GetProperty("uncovered").GetProperty("totalUsd").GetDecimal());
        }

        Assert.Equal(HttpStatusCode.OK, (await AdminAsync(nodes[2], HttpMethod.Put, "/api/v1/liquidation-halts/BTC-PERP", null)).StatusCode);
        using (var halts = await GetJsonAsync(nodes[0], "/api/v1/liquidation-halts"))
        {
            Assert.Equal(["BTC-PERP"], halts.RootElement.GetProperty("symbols").EnumerateArray().Select(h => h.GetString()));
        }

        // The unbalanced ADL fills and one liquidation's release go through the queue too: none here, and no hold to release.
        using (var unbalanced = await GetJsonAsync(nodes[1], "/api/v1/adl-unbalanced"))
        {
            Assert.Equal(0, unbalanced.RootElement.GetProperty("open").GetInt32());
        }

        var rebook = await AdminAsync(nodes[0], HttpMethod.Post, "/api/v1/adl-unbalanced/rebookings", new { liquidationId, round = 1, counterpartyId = "acc-other" });
        Assert.Equal(HttpStatusCode.Conflict, rebook.StatusCode);
        var release = await AdminAsync(nodes[1], HttpMethod.Delete, $"/api/v1/liquidation-halts/BTC-PERP?liquidation={liquidationId}", null);
        Assert.Equal(HttpStatusCode.NotFound, release.StatusCode);

        // The fee came off the account once, beside the loss realised on the contracts sold (0.001 BTC each, 770 below entry).
        await EventuallyAsync(async () => await AccountUsdtAsync(nodes[1]) == 1000m - (quantity * 0.77m) - fee, TimeSpan.FromSeconds(10),
            "the account charged the fee once");
    }

    [Fact]
    public async Task The_singleton_holder_dying_mid_liquidation_hands_it_to_another_node_that_recovers_it_from_its_journal_and_completes_it_once()
    {
        var nodes = new List<NodeUnderTest> { await StartNodeAsync("n1"), await StartNodeAsync("n2"), await StartNodeAsync("n3") };
        var holder = await SingletonHolderAsync(nodes, TimeSpan.FromSeconds(30));
        var firstEpoch = HostOf(holder).Cluster!.Node.Singletons["liquidation-coordinator"].Epoch;
        await using var venue = await VenueAsync();
        await OpenLeveragedAsync(nodes[0]);
        await CrashBtcAsync(nodes[0]);
        var order = await venue.NextAsync("liquidation-orders", TimeSpan.FromSeconds(20));
        var liquidationId = order.GetProperty("liquidationId").GetString()!;

        // kill -9 of the coordinator's node with the order out.
        var crashed = Stopwatch.StartNew();
        await HostOf(holder).Cluster!.CrashAsync();
        nodes.Remove(holder);
        var successor = await SingletonHolderAsync(nodes, TimeSpan.FromSeconds(30));
        output.WriteLine($"liquidation singleton running again on another node {crashed.Elapsed.TotalSeconds:F1} s after the crash (LeaseTtl 3 s)");
        Assert.True(HostOf(successor).Cluster!.Node.Singletons["liquidation-coordinator"].Epoch > firstEpoch);

        // The venue goes on: fill every order issued (the one out at the crash first) until the liquidation ends.
        var filled = 0;
        var clock = Stopwatch.StartNew();
        while (await StatusAsync(nodes[0], liquidationId) != "completed")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the liquidation did not complete within 60 s after the failover");
            if (order.ValueKind == JsonValueKind.Object)
            {
                await FillAsync(nodes[filled % nodes.Count], order, order.GetProperty("quantity").GetDecimal());
                filled++;
            }

            order = await venue.TryNextAsync("liquidation-orders", TimeSpan.FromSeconds(2));
        }

        Assert.True(filled >= 1);
        var fees = await ReportedFeesAsync(nodes[1], liquidationId);
        using var history = await GetJsonAsync(nodes[1], $"/api/v1/liquidations/{liquidationId}");
        var steps = history.RootElement.GetProperty("steps").EnumerateArray().ToArray();
        Assert.Single(steps, s => s.GetProperty("kind").GetString() == "LiquidationStarted");
        var reported = steps.Where(s => s.GetProperty("kind").GetString() == "LiquidationOrderReported").Select(s => s.GetProperty("step")).ToArray();
        Assert.Equal(reported.Length, reported.Select(r => r.GetProperty("orderId").GetString()).Distinct().Count());

        // Nothing applied twice: the fund holds exactly the fees the coordinator recorded, one movement per charged order.
        using var fund = await GetJsonAsync(nodes[0], "/api/v1/insurance-fund");
        Assert.Equal(fees, UsdtOf(fund.RootElement.GetProperty("balances")));
        var movements = fund.RootElement.GetProperty("history").EnumerateArray().Where(m => m.GetProperty("kind").GetString() == "feeCollected").ToArray();
        Assert.Equal(reported.Where(r => r.GetProperty("feeAmount").GetDecimal() > 0).Select(r => r.GetProperty("orderId").GetString()).Order(),
            movements.Select(m => m.GetProperty("requestId").GetString()!.Split(":fee:")[1]).Order());
    }

    [Fact]
    public async Task A_bankrupt_account_the_empty_fund_cannot_cover_is_deleveraged_against_a_profitable_short_on_whichever_node_owns_it()
    {
        var nodes = new[] { await StartNodeAsync("n1"), await StartNodeAsync("n2"), await StartNodeAsync("n3") };
        await SingletonHolderAsync(nodes, TimeSpan.FromSeconds(30));
        await using var venue = await VenueAsync();
        await OpenLeveragedAsync(nodes[0]);

        // The counterparty: 1 BTC short at 60,000 on 100,000 USDT, opened through another node.
        await PostAsync(nodes[1], "/api/v1/accounts", new { messageId = "open-short", source = "accounts", sequence = 1, accountId = "acc-short", mode = "standard" });
        await PostAsync(nodes[1], "/api/v1/deposits", new { messageId = "dep-short", source = "wallet", sequence = 1, accountId = "acc-short", asset = "USDT", amount = 100_000m });
        await PostAsync(nodes[1], "/api/v1/executions", new
        {
            messageId = "ex-short", source = "me-1", sequence = 1, accountId = "acc-short", executionId = "ex-short", orderId = "o-short", symbol = "BTC-PERP",
            side = "sell", quantity = 1000m, price = 60_000m, fee = 0m, liquidity = "maker", timestamp = DateTimeOffset.UtcNow, isLiquidation = false,
        });

        // 1,100 USDT lost on 1,000: bankrupt, and the fund is empty: auto-deleveraging, before any order to the book.
        await MoveBtcAsync(nodes[2], 58_900m);

        // A first round that finds no counterparty yet (a view not in time) stalls, may first ask the fund to take the
        // position over (its account opened through a shard queue, waited for up to the order time-out) and is tried
        // again after the stall back-off: the first notice can take longer than one round.
        var notices = new List<JsonElement> { await venue.NextAsync("adl", TimeSpan.FromSeconds(75)), await venue.NextAsync("adl", TimeSpan.FromSeconds(20)) };
        Assert.Equal(["acc-lev", "acc-short"], notices.Select(n => n.GetProperty("accountId").GetString()).Order());
        var closed = notices.Single(n => n.GetProperty("accountId").GetString() == "acc-short").GetProperty("quantity").GetDecimal();
        Assert.True(closed > 0m);
        await EventuallyAsync(async () => await PositionOfAsync(nodes[0], "acc-short") == -1000m + closed, TimeSpan.FromSeconds(20), "the short reduced by the ADL fill");
        await EventuallyAsync(async () => await PositionOfAsync(nodes[1], Account) == 1000m - closed, TimeSpan.FromSeconds(20), "the bankrupt long reduced by the ADL fill");
    }

    /// <summary>
    /// A whole take-over on the cluster. BTC at 59,230: acc-lev's equity 230 is below its MM of 246.15; the book fills
    /// none of the first step, so (TakeOverAfterUnfilledSteps 1) its 1 BTC is deleveraged at its bankruptcy price,
    /// 59,230 - 230 = 59,000, and with no one else holding BTC the fund's account takes it over there. Its unwind sells the
    /// 1,000 contracts through the book; filled at 59,230 they gain 1,000 x 0.001 x 230 = 230 USDT (no fee), which is swept
    /// into the fund: the fund ends at 230 USDT, its account and acc-lev flat at 0.
    /// </summary>
    [Fact]
    public async Task A_position_no_one_takes_is_taken_over_by_the_fund_whose_account_is_unwound_through_the_book_and_its_gain_swept_into_the_fund()
    {
        const string fund = "insurance-fund";
        string[] options = ["--Liquidation:TakeOverAfterUnfilledSteps=1", "--Liquidation:FundAccount=" + fund];
        var nodes = new[] { await StartNodeAsync("n1", options), await StartNodeAsync("n2", options), await StartNodeAsync("n3", options) };
        await SingletonHolderAsync(nodes, TimeSpan.FromSeconds(30));
        await using var venue = await VenueAsync();
        await OpenLeveragedAsync(nodes[0]);

        await CrashBtcAsync(nodes[1]);
        var step = await venue.NextAsync("liquidation-orders", TimeSpan.FromSeconds(20));
        Assert.Equal(Account, step.GetProperty("accountId").GetString());
        await ReportAsync(nodes[2], step, 0m, 0m);

        // The take-over: both sides on the ADL exchange, wherever the two accounts live (the fund's is opened for it).
        var notices = new List<JsonElement> { await venue.NextAsync("adl", TimeSpan.FromSeconds(45)), await venue.NextAsync("adl", TimeSpan.FromSeconds(20)) };
        Assert.Equal([(Account, "sell", 1000m, 59_000m), (fund, "buy", 1000m, 59_000m)],
            notices.Select(n => (n.GetProperty("accountId").GetString(), n.GetProperty("side").GetString()!.ToLowerInvariant(), n.GetProperty("quantity").GetDecimal(),
                n.GetProperty("price").GetDecimal())).OrderBy(n => n.Item1, StringComparer.Ordinal));

        // The unwind: every order the fund's account gets is filled at 59,230 through some node, as a venue does.
        var fills = 0;
        var clock = Stopwatch.StartNew();
        while (await PositionOfAsync(nodes[fills % nodes.Length], fund) != 0m || !await FundSweptAsync(nodes[0]))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "the fund's account was not unwound and swept within 90 s");
            var order = await venue.TryNextAsync("liquidation-orders", TimeSpan.FromSeconds(2));
            if (order.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            Assert.Equal((fund, "sell"), (order.GetProperty("accountId").GetString(), order.GetProperty("side").GetString()!.ToLowerInvariant()));
            var quantity = order.GetProperty("quantity").GetDecimal();
            await PostAsync(nodes[fills % nodes.Length], "/api/v1/executions", new
            {
                messageId = "fill-" + order.GetProperty("orderId").GetString(), source = "me-fund", sequence = ++fills, accountId = fund,
                executionId = "fill-" + order.GetProperty("orderId").GetString(), orderId = order.GetProperty("orderId").GetString(), symbol = "BTC-PERP", side = "sell",
                quantity, price = 59_230m, fee = 0m, liquidity = "taker", timestamp = DateTimeOffset.UtcNow, isLiquidation = true,
            });
            await ReportAsync(nodes[fills % nodes.Length], order, quantity, 59_230m);
        }

        foreach (var node in nodes)
        {
            using var shown = await GetJsonAsync(node, "/api/v1/insurance-fund");
            Assert.Equal(230m, UsdtOf(shown.RootElement.GetProperty("balances")));
            var account = shown.RootElement.GetProperty("account");
            Assert.DoesNotContain(account.GetProperty("positions").EnumerateArray(), p => p.GetProperty("quantity").GetDecimal() != 0m);
            Assert.Equal(0m, UsdtAmountOf(account.GetProperty("balances")));
        }

        Assert.Equal(0m, await PositionAsync(nodes[1]));
        Assert.Equal(0m, await AccountUsdtAsync(nodes[2]));
        using var list = await GetJsonAsync(nodes[0], "/api/v1/liquidations");
        Assert.All(list.RootElement.GetProperty("liquidations").EnumerateArray(), l => Assert.Equal("completed", l.GetProperty("status").GetString()?.ToLowerInvariant()));
    }

    [Fact]
    public async Task With_no_node_holding_the_singleton_liquidation_calls_answer_503_and_are_served_again_once_another_node_takes_it()
    {
        var nodes = new List<NodeUnderTest> { await StartNodeAsync("n1", "--Actors:AskTimeout=00:00:01"), await StartNodeAsync("n2", "--Actors:AskTimeout=00:00:01") };
        var holder = await SingletonHolderAsync(nodes, TimeSpan.FromSeconds(30));
        nodes.Remove(holder);
        await HostOf(holder).Cluster!.CrashAsync();   // its lease lives on for up to 3 s: nobody runs the singleton meanwhile

        var refused = await nodes[0].Client.GetAsync("/api/v1/liquidations");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        using (var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()))
        {
            Assert.Equal("noLiquidationSingleton", body.RootElement.GetProperty("code").GetString());
        }

        await SingletonHolderAsync(nodes, TimeSpan.FromSeconds(30));
        using var list = await GetJsonAsync(nodes[0], "/api/v1/liquidations");
        Assert.Empty(list.RootElement.GetProperty("liquidations").EnumerateArray());
    }

    /// <summary>
    /// The asking node waits <c>Actors:AskTimeout</c> from its publish and the holder asks its coordinator later (after
    /// the queue): with the same timeout on both, the asker always gave up first and answered noLiquidationSingleton,
    /// "none holds it now", while a node held it. The holder asks within four fifths, so its own answer (503 timedOut,
    /// nothing changed) reaches the asker in time.
    /// </summary>
    [Fact]
    public async Task A_read_the_holders_coordinator_is_too_busy_to_answer_is_a_503_timed_out_from_the_holder_not_no_singleton()
    {
        // 5 s: the holder's answer has a second (a fifth) to reach the asker, time enough on a loaded machine. A 12 s lease:
        // the coordinator's write below holds the singleton's lease row (its fence check, FOR SHARE) while it waits, so the
        // holder's renewals wait too, and with the tests' 3 s lease it self-fenced at 2 s, before its 4 s answer (which then
        // went out only because a lost singleton's drain answered reads; since session 35 they go back to the queue).
        string[] settings = ["--Actors:AskTimeout=00:00:05", "--Cluster:LeaseTtl=00:00:12"];
        var nodes = new List<NodeUnderTest> { await StartNodeAsync("n1", settings), await StartNodeAsync("n2", settings) };
        var holder = await SingletonHolderAsync(nodes, TimeSpan.FromSeconds(30));
        var asker = nodes.Single(n => n != holder);

        // The coordinator's next write waits on a lock of the journal (as behind a slow database): a halt makes it
        // write, and until the write ends it answers nothing else.
        await using var db = Npgsql.NpgsqlDataSource.Create(_cluster.ConnectionString);
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await new Npgsql.NpgsqlCommand("LOCK TABLE event_journal IN EXCLUSIVE MODE", connection, transaction).ExecuteNonQueryAsync();
        var halt = AdminAsync(holder, HttpMethod.Put, "/api/v1/liquidation-halts/BTC-PERP", null);
        await EventuallyAsync(async () =>
        {
            await using var waiting = db.CreateCommand("SELECT count(*) FROM pg_locks WHERE relation = 'event_journal'::regclass AND NOT granted");
            return (long)(await waiting.ExecuteScalarAsync())! > 0;
        }, TimeSpan.FromSeconds(10), "the coordinator's write waits on the journal's lock");

        var read = await asker.Client.GetAsync("/api/v1/liquidations");

        var text = await read.Content.ReadAsStringAsync();
        await transaction.RollbackAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        using var body = JsonDocument.Parse(text);
        Assert.True(body.RootElement.GetProperty("code").GetString() == "timedOut", text);

        // The halt itself waited as long: the outcome unknown, and made once the write went through.
        var halted = await halt;
        Assert.True(halted.StatusCode == HttpStatusCode.ServiceUnavailable, await halted.Content.ReadAsStringAsync());
        await EventuallyAsync(async () =>
        {
            using var halts = await GetJsonAsync(asker, "/api/v1/liquidation-halts");
            return halts.RootElement.ToString().Contains("BTC-PERP", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(20), "the halt is made once the journal's lock is released");
    }

    [Fact]
    public async Task A_coordinator_stopped_by_a_failed_write_runs_again_once_the_database_takes_its_writes()
    {
        var node = await StartNodeAsync("n1", "--Actors:AskTimeout=00:00:02");
        await SingletonHolderAsync([node], TimeSpan.FromSeconds(30));
        var first = HostOf(node).Cluster!.Liquidation;

        // The database refuses the coordinator's writes for a while (as through an outage): its halt's write fails, and
        // a persistent actor whose write failed stops. The node still holds and renews the singleton's lease.
        await using (var db = Npgsql.NpgsqlDataSource.Create(_cluster.ConnectionString))
        {
            await db.CreateCommand("ALTER TABLE event_journal ADD CONSTRAINT refuse_coordinator CHECK (persistence_id <> 'liquidation-coordinator') NOT VALID")
                .ExecuteNonQueryAsync();
            var refused = await AdminAsync(node, HttpMethod.Put, "/api/v1/liquidation-halts/BTC-PERP", null);
            Assert.False(refused.IsSuccessStatusCode, await refused.Content.ReadAsStringAsync());
            await db.CreateCommand("ALTER TABLE event_journal DROP CONSTRAINT refuse_coordinator").ExecuteNonQueryAsync();
        }

        // Breach reports and operators' requests must find a coordinator again: the node gives the singleton up and takes
        // it again, recovered from its journal, instead of holding a lease over stopped actors until it restarts.
        await EventuallyAsync(async () => (await AdminAsync(node, HttpMethod.Put, "/api/v1/liquidation-halts/BTC-PERP", null)).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30), "a halt is written once the database takes the coordinator's writes again");
        Assert.NotSame(first, HostOf(node).Cluster!.Liquidation);
        using var halts = await GetJsonAsync(node, "/api/v1/liquidation-halts");
        Assert.Contains("BTC-PERP", halts.RootElement.ToString(), StringComparison.Ordinal);
    }

    // ---- the cluster -------------------------------------------------------------------------------------------------

    private Task<NodeUnderTest> StartNodeAsync(string name, params string[] more) =>
        _cluster.StartNodeAsync(name, ["--Liquidation:OrderTimeout=00:00:20", "--Security:Tokens:ops:Token=" + AdminToken, .. more]);

    private static EngineHost HostOf(NodeUnderTest node) => TestCluster.HostOf(node);

    private static async Task<NodeUnderTest> SingletonHolderAsync(IReadOnlyList<NodeUnderTest> nodes, TimeSpan within)
    {
        NodeUnderTest? holder = null;
        await EventuallyAsync(() =>
        {
            var holders = nodes.Where(n => HostOf(n).Cluster!.Liquidation is not null).ToArray();
            holder = holders.Length == 1 ? holders[0] : null;
            var served = nodes.SelectMany(n => HostOf(n).Cluster!.Node.Shards.Keys).Order().SequenceEqual(Enumerable.Range(0, Shards));
            return Task.FromResult(holder is not null && served);
        }, within, "one node runs the liquidation singleton and every shard is served");
        return holder!;
    }

    private static Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan within, string what) => TestCluster.EventuallyAsync(condition, within, what);

    // ---- the venue ---------------------------------------------------------------------------------------------------

    /// <summary>1 BTC long (1,000 contracts of 0.001) at 60,000 on 1,000 USDT, with a resting bid.</summary>
    private async Task OpenLeveragedAsync(NodeUnderTest via)
    {
        await PostAsync(via, "/api/v1/accounts", new { messageId = $"open-{Account}", source = "accounts", sequence = 1, accountId = Account, mode = "standard" });
        await PostAsync(via, "/api/v1/deposits", new { messageId = $"dep-{Account}", source = "wallet", sequence = 1, accountId = Account, asset = "USDT", amount = 1000m });
        await PostAsync(via, "/api/v1/executions", Execution("ex-open", "o-open", "buy", 1000m, 60_000m, liquidation: false));
        var sequence = ++_venueSequence;
        await PostAsync(via, "/api/v1/orders/accepted",
            new { messageId = "oa-rest", source = "me-1", sequence, accountId = Account, orderId = "o-rest", symbol = "BTC-PERP", side = "buy", quantity = 100m, price = 55_000m });
    }

    /// <summary>The mark falls 1.3%: equity about 230 USDT against a maintenance margin of about 246.</summary>
    private static Task CrashBtcAsync(NodeUnderTest via) => MoveBtcAsync(via, 59_230m);

    private static async Task MoveBtcAsync(NodeUnderTest via, decimal price)
    {
        var now = DateTimeOffset.UtcNow;
        var response = await via.Client.PostAsJsonAsync("/api/v1/prices", new
        {
            indices = new[] { new { asset = "BTC", price, timestamp = now } },
            marks = new[] { new { symbol = "BTC-PERP", price, timestamp = now } },
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private object Execution(string id, string orderId, string side, decimal quantity, decimal price, bool liquidation) => new
    {
        messageId = id, source = "me-1", sequence = ++_venueSequence, accountId = Account, executionId = id, orderId, symbol = "BTC-PERP", side, quantity, price,
        fee = 0m, liquidity = "taker", timestamp = DateTimeOffset.UtcNow, isLiquidation = liquidation,
    };

    /// <summary>As a venue does: the fill's execution to the account first, then the report to the coordinator.</summary>
    private async Task FillAsync(NodeUnderTest via, JsonElement order, decimal quantity)
    {
        var orderId = order.GetProperty("orderId").GetString()!;
        await PostAsync(via, "/api/v1/executions", Execution("fill-" + orderId, orderId, order.GetProperty("side").GetString()!.ToLowerInvariant(), quantity, 59_230m, liquidation: true));
        var report = await via.Client.PostAsJsonAsync("/api/v1/liquidation-reports", new { orderId, filledQuantity = quantity, averagePrice = 59_230m });
        Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);
    }

    private static async Task ReportAsync(NodeUnderTest via, JsonElement order, decimal quantity, decimal price)
    {
        var report = await via.Client.PostAsJsonAsync("/api/v1/liquidation-reports",
            new { orderId = order.GetProperty("orderId").GetString(), filledQuantity = quantity, averagePrice = price });
        Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);
    }

    /// <summary>Whether the fund's history shows an unwind's sweep deposited.</summary>
    private static async Task<bool> FundSweptAsync(NodeUnderTest via)
    {
        using var fund = await GetJsonAsync(via, "/api/v1/insurance-fund");
        return fund.RootElement.GetProperty("history").EnumerateArray()
            .Any(m => m.GetProperty("requestId").GetString()?.Contains(":sweep:", StringComparison.Ordinal) == true);
    }

    private static async Task<HttpResponseMessage> AdminAsync(NodeUnderTest via, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        return await via.Client.SendAsync(request);
    }

    private static async Task PostAsync(NodeUnderTest via, string path, object body)
    {
        var response = await via.Client.PostAsJsonAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<JsonDocument> GetJsonAsync(NodeUnderTest via, string path)
    {
        var response = await via.Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text);
    }

    private static Task<decimal> PositionAsync(NodeUnderTest via) => PositionOfAsync(via, Account);

    private static async Task<decimal> PositionOfAsync(NodeUnderTest via, string account)
    {
        using var view = await GetJsonAsync(via, $"/api/v1/accounts/{account}");
        return view.RootElement.GetProperty("positions").EnumerateArray().Where(p => p.GetProperty("symbol").GetString() == "BTC-PERP")
            .Select(p => p.GetProperty("quantity").GetDecimal()).SingleOrDefault();
    }

    private static async Task<decimal> AccountUsdtAsync(NodeUnderTest via)
    {
        using var view = await GetJsonAsync(via, $"/api/v1/accounts/{Account}");
        return UsdtAmountOf(view.RootElement.GetProperty("balances"));
    }

    /// <summary>The USDT amount of an account view's balances (a list of asset and amount).</summary>
    private static decimal UsdtAmountOf(JsonElement balances) =>
        balances.EnumerateArray().Where(b => b.GetProperty("asset").GetString() == "USDT").Select(b => b.GetProperty("amount").GetDecimal()).SingleOrDefault();

    private static async Task<decimal> FundUsdtAsync(NodeUnderTest via)
    {
        using var fund = await GetJsonAsync(via, "/api/v1/insurance-fund");
        return UsdtOf(fund.RootElement.GetProperty("balances"));
    }

    private static decimal UsdtOf(JsonElement balances) => balances.TryGetProperty("USDT", out var usdt) ? usdt.GetDecimal() : 0m;

    private static async Task<decimal> ReportedFeesAsync(NodeUnderTest via, string liquidationId)
    {
        using var history = await GetJsonAsync(via, $"/api/v1/liquidations/{liquidationId}");
        return history.RootElement.GetProperty("steps").EnumerateArray()
            .Where(s => s.GetProperty("kind").GetString() == "LiquidationOrderReported")
            .Sum(s => s.GetProperty("step").GetProperty("feeAmount").GetDecimal());
    }

    private static async Task<string?> StatusAsync(NodeUnderTest via, string liquidationId)
    {
        using var history = await GetJsonAsync(via, $"/api/v1/liquidations/{liquidationId}");
        return history.RootElement.GetProperty("status").GetString()?.ToLowerInvariant();
    }

    private async Task<VenueQueues> VenueAsync()
    {
        var connection = await RabbitMqConnection.ConnectAsync(_cluster.Broker());
        var channel = await connection.CreateChannelAsync(publisherConfirms: false);
        var queues = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (kind, exchange) in new[] { ("liquidation-orders", connection.Names.LiquidationOrders), ("cancel-all", connection.Names.CancelAll), ("adl", connection.Names.Adl) })
        {
            var queue = $"{_cluster.Prefix}.test.{kind}";
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true);
            await channel.QueueBindAsync(queue, exchange, "#");
            queues[kind] = queue;
        }

        return new VenueQueues(connection, channel, queues);
    }

    /// <summary>The venue's own queues bound to the outbound exchanges.</summary>
    private sealed class VenueQueues(RabbitMqConnection connection, IChannel channel, Dictionary<string, string> queues) : IAsyncDisposable
    {
        public async Task<JsonElement> NextAsync(string kind, TimeSpan within)
        {
            var next = await TryNextAsync(kind, within);
            Assert.True(next.ValueKind == JsonValueKind.Object, $"nothing on {kind} within {within}");
            return next;
        }

        public async Task<JsonElement> TryNextAsync(string kind, TimeSpan within)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < within)
            {
                if (await channel.BasicGetAsync(queues[kind], autoAck: true) is { } message)
                {
                    using var body = JsonDocument.Parse(message.Body);
                    return body.RootElement.Clone();
                }

                await Task.Delay(50);
            }

            return default;
        }

        public async ValueTask DisposeAsync()
        {
            await channel.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
