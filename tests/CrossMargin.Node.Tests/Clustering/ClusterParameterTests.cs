using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Node.Tests.Api;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// A risk parameter set applied through one member of a cluster: stored once in PostgreSQL, put in force by every member
/// (here by the notice, as the other member's periodic read is set to 5 minutes), and loaded by a node that starts later.
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class ClusterParameterTests(ClusterServers servers) : IAsyncLifetime
{
    private const int Shards = 8;
    private const string AdminToken = "cluster-test-admin-token-0123456789";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(15);
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.CreateAsync(servers, Shards);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_set_applied_on_one_node_changes_an_account_owned_by_another_and_a_later_node_starts_with_it()
    {
        var a = await StartNodeAsync("pa");
        var b = await StartNodeAsync("pb");
        await _cluster.AllShardsServedAsync([a, b], TimeSpan.FromSeconds(30));
        var onB = Enumerable.Range(0, 64).Select(i => $"p-{i}")
            .First(id => TestCluster.HostOf(b).Cluster!.Node.Shards.ContainsKey(ShardIds.Of(id, Shards)));
        await OpenWithPositionAsync(a, onB);
        var margin = await MarginAsync(a, onB, "healthy");
        var (equity, im) = (margin.GetProperty("equityUsd").GetDecimal(), margin.GetProperty("initialMarginUsd").GetDecimal());
        // IM above equity, MM (about half the IM under the Binance brackets) still below it: a margin call.
        var stricter = ParameterFiles.Multiply(await File.ReadAllTextAsync(Path.Combine(a.ConfigDirectory, "risk", "standard.json")), Math.Round(1.5m * equity / im, 2));

        // The members' dry-run parts cannot be asked here (test servers have no address), so the check is partial and
        // the apply needs the override.
        using var refused = await ApplyAsync(a, stricter, "");
        using var applied = await ApplyAsync(a, stricter, "?allowLiquidations=true&reason=cluster");
        var body = await applied.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.True(applied.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(1L, body.GetProperty("storedVersion").GetInt64());
        await MarginAsync(b, onB, "marginCall");
        var onBHost = TestCluster.HostOf(b).ParameterSets.Single(s => s.Slot == "standard");
        Assert.Equal((1L, "ops", body.GetProperty("version").GetString()), (onBHost.StoredVersion, onBHost.AppliedBy, onBHost.Version));

        var later = await StartNodeAsync("pc");
        var onLater = TestCluster.HostOf(later).ParameterSets.Single(s => s.Slot == "standard");

        Assert.Equal(("stored", 1L, "cluster"), (onLater.Source, onLater.StoredVersion, onLater.Reason));
    }

    [Fact]
    public async Task A_version_stored_without_a_notice_is_put_in_force_by_the_periodic_read()
    {
        var node = await StartNodeAsync("pq", "00:00:01");
        var text = ParameterFiles.Multiply(await File.ReadAllTextAsync(Path.Combine(node.ConfigDirectory, "risk", "standard.json")), 0.5m);

        // Written straight into the table, as a node whose notice was lost would leave it: no NOTIFY.
        await using (var connection = new Npgsql.NpgsqlConnection(_cluster.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new Npgsql.NpgsqlCommand(
                "INSERT INTO risk_parameter_version (slot, version, content_hash, content, model, description, applied_by, applied_at, reason) " +
                "VALUES ('standard', 1, $1, $2, 'standard', 'milder', 'elsewhere', now(), 'no notice')", connection);
            insert.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = CrossMargin.Node.Hosting.EngineHost.VersionOf(text) });
            insert.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = text });
            await insert.ExecuteNonQueryAsync();
        }

        await TestCluster.EventuallyAsync(() => Task.FromResult(TestCluster.HostOf(node).ParameterSets.Single(s => s.Slot == "standard").StoredVersion == 1),
            Within, "the stored version put in force by the periodic read");
        Assert.Equal("elsewhere", TestCluster.HostOf(node).ParameterSets.Single(s => s.Slot == "standard").AppliedBy);
    }

    private Task<NodeUnderTest> StartNodeAsync(string name, string pollInterval = "00:05:00") =>
        _cluster.StartNodeAsync(name, "--Security:Tokens:ops:Token=" + AdminToken, "--RiskParameters:PollInterval=" + pollInterval);

    private static async Task<HttpResponseMessage> ApplyAsync(NodeUnderTest via, string text, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/risk/params" + query) { Content = new StringContent(text, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return await via.Client.SendAsync(request);
    }

    private static async Task OpenWithPositionAsync(NodeUnderTest via, string account)
    {
        await TestCluster.OpenAsync(via, account);
        Assert.Equal(HttpStatusCode.OK, (await via.Client.PostAsync("/api/v1/deposits",
            new ByteArrayContent(TestCluster.Deposit(account, 1, 1000m)) { Headers = { ContentType = new("application/json") } })).StatusCode);
        var execution = await via.Client.PostAsJsonAsync("/api/v1/executions", new
        {
            messageId = "e-" + account, source = "me", sequence = 1, accountId = account, executionId = "e-" + account, orderId = "o-" + account,
            symbol = "BTC-PERP", side = "buy", quantity = 1000m, price = 60000m, fee = 0m, liquidity = "taker", timestamp = "2026-11-21T08:00:00Z",
        });
        Assert.Equal(HttpStatusCode.OK, execution.StatusCode);
    }

    private static async Task<JsonElement> MarginAsync(NodeUnderTest via, string account, string status)
    {
        JsonElement margin = default;
        await TestCluster.EventuallyAsync(async () =>
        {
            if (await TestCluster.AccountAsync(via, account) is not { } view || !view.TryGetProperty("margin", out margin))
            {
                return false;
            }

            return margin.GetProperty("status").GetString() == status;
        }, Within, $"{account} {status}");
        return margin;
    }
}
