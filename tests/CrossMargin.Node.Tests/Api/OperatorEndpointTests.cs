using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CrossMargin.Node.Tests.Api;

public sealed class OperatorEndpointTests : IAsyncLifetime
{
    private const string AdminToken = "admin-secret-0123456789";
    private NodeUnderTest _node = null!;

    private HttpClient Http => _node.Client;

    public async Task InitializeAsync() => _node = await NodeUnderTest.StartWithAsync(null, "--Security:Tokens:ops:Token=" + AdminToken);

    public async Task DisposeAsync()
    {
        await _node.DisposeAndDeleteDataAsync();
    }

    [Fact]
    public async Task The_cluster_view_in_embedded_mode_is_this_node_holding_every_shard_at_epoch_zero()
    {
        var view = await Http.GetFromJsonAsync<JsonElement>("/api/v1/cluster");

        Assert.Equal("embedded", view.GetProperty("mode").GetString());
        var member = Assert.Single(view.GetProperty("members").EnumerateArray());
        Assert.Equal(("node-1", "up"), (member.GetProperty("name").GetString(), member.GetProperty("status").GetString()));
        Assert.Equal(64, member.GetProperty("shards").GetArrayLength());
        Assert.All(member.GetProperty("shards").EnumerateArray(), s => Assert.Equal(0, s.GetProperty("epoch").GetInt64()));
    }

    [Fact]
    public async Task Leaving_or_downing_a_member_in_embedded_mode_is_a_409_saying_there_is_no_cluster()
    {
        using var response = await Admin(HttpMethod.Post, "/api/v1/cluster/members/node-1/leave");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("No cluster in embedded mode", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Region_stats_count_the_live_accounts_of_started_shards_and_locate_names_the_shard()
    {
        await OpenWithPosition("alice", 0);

        var region = await Http.GetFromJsonAsync<JsonElement>("/api/v1/sharding/regions/account");
        var located = await Http.GetFromJsonAsync<JsonElement>("/api/v1/sharding/regions/account/locate/alice");

        Assert.Equal(1, region.GetProperty("totalEntities").GetInt32());
        var shard = located.GetProperty("shardId").GetInt32();
        var stats = region.GetProperty("shards")[shard];
        Assert.Equal((true, 1, "node-1"), (stats.GetProperty("started").GetBoolean(), stats.GetProperty("entities").GetInt32(), stats.GetProperty("owner").GetString()));
        Assert.False(stats.TryGetProperty("queueDepth", out _), "embedded mode cannot tell a queue depth, so it is null (left out)");
    }

    [Fact]
    public async Task Risk_params_show_the_files_in_force_with_their_versions()
    {
        var body = await Http.GetFromJsonAsync<JsonElement>("/api/v1/risk/params");

        var slots = body.GetProperty("sets").EnumerateArray().Select(s => (s.GetProperty("slot").GetString(), s.GetProperty("model").GetString())).ToArray();
        Assert.Equal([("standard", "standard"), ("portfolio", "portfolio"), ("simm", "simm"), ("var", "var"), ("es", "es"), ("composite", "composite")], slots);
        Assert.All(body.GetProperty("sets").EnumerateArray(), s => Assert.Equal(12, s.GetProperty("version").GetString()!.Length));
    }

    [Fact]
    public async Task A_dry_run_of_the_file_in_force_changes_no_account_and_reports_its_version()
    {
        await OpenWithPosition("alice", 1000);
        var text = await File.ReadAllTextAsync(Path.Combine(_node.ConfigDirectory, "risk", "standard.json"));

        using var response = await Admin(HttpMethod.Post, "/api/v1/risk/params?dryRun=true", text);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var shown = await Http.GetFromJsonAsync<JsonElement>("/api/v1/risk/params");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("standard", 1, 0, false), (body.GetProperty("slot").GetString(), body.GetProperty("accountsEvaluated").GetInt32(),
            body.GetProperty("accountsChangingStatus").GetInt32(), body.GetProperty("applied").GetBoolean()));
        Assert.Equal(shown.GetProperty("sets")[0].GetProperty("version").GetString(), body.GetProperty("version").GetString());
    }

    [Fact]
    public async Task A_dry_run_of_harsher_parameters_counts_the_accounts_that_would_change_status()
    {
        await OpenWithPosition("alice", 1000);
        var text = await File.ReadAllTextAsync(Path.Combine(_node.ConfigDirectory, "risk", "standard.json"));
        // Every bracket's rates x40 (published amounts dropped, as they follow from the rates): the 1,000 USDT account
        // with 60,000 USD of BTC-PERP falls below maintenance.
        var harsher = ParameterFiles.Multiply(text, 40);

        using var response = await Admin(HttpMethod.Post, "/api/v1/risk/params?dryRun=true", harsher);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(1, body.GetProperty("accountsChangingStatus").GetInt32());
        Assert.Equal("alice", body.GetProperty("changes")[0].GetProperty("accountId").GetString());
        Assert.NotEqual(body.GetProperty("version").GetString(), body.GetProperty("activeVersion").GetString());
    }

    [Fact]
    public async Task An_invalid_parameter_file_is_a_400_naming_the_field()
    {
        using var response = await Admin(HttpMethod.Post, "/api/v1/risk/params?dryRun=true", """{"model":"standard","description":"x"}""");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("posted parameters", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crash_stress_finds_the_leveraged_long_bankrupt_and_compares_the_deficit_with_the_fund()
    {
        await OpenWithPosition("alice", 1000);
        await OpenWithPosition("carol", 0);

        var (status, body) = await Post("/api/v1/stress", """{"spot":{"BTC":-0.30},"volPoints":20}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("accountsEvaluated").GetInt32());
        var breach = Assert.Single(body.GetProperty("breaching").EnumerateArray());
        Assert.Equal(("alice", "bankrupt"), (breach.GetProperty("accountId").GetString(), breach.GetProperty("statusAfter").GetString()));
        Assert.True(body.GetProperty("totalDeficitUsd").GetDecimal() > 0);
        Assert.False(body.GetProperty("fundCoversDeficit").GetBoolean());
        Assert.Equal(("node", false), (body.GetProperty("scope").GetString(), body.GetProperty("partial").GetBoolean()));
    }

    [Fact]
    public async Task A_stress_with_an_unknown_scope_is_a_400()
    {
        var (status, body) = await Post("/api/v1/stress?scope=everywhere", """{"spot":{"BTC":-0.30}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("scope", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stress_on_an_unknown_underlying_is_a_400()
    {
        var (status, body) = await Post("/api/v1/stress", """{"spot":{"DOGE":-0.30}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("DOGE", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_peek_returns_the_latest_lines_with_the_engine_start()
    {
        var body = await Http.GetFromJsonAsync<JsonElement>("/api/v1/logs?lines=500");

        Assert.Contains(body.GetProperty("lines").EnumerateArray(), l => l.GetProperty("message").GetString()!.StartsWith("Engine started", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_event_stream_opens_with_the_member_event_and_carries_account_status_changes()
    {
        await OpenWithPosition("alice", 1000);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await Http.GetAsync(new Uri("/api/events?types=member,account", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));

        var first = await NextEvent(reader, cancel.Token);
        var now = DateTimeOffset.UtcNow;
        // 60,000 to 40,000 is beyond the index move band: the operator lets it through, as for a real crash in one tick.
        Assert.Equal(HttpStatusCode.OK, (await Admin(HttpMethod.Post, "/api/v1/prices/accept-next-index/BTC")).StatusCode);
        await Post("/api/v1/prices", $$"""{"indices":[{"asset":"BTC","price":40000,"timestamp":"{{now:O}}"}],"marks":[{"symbol":"BTC-PERP","price":40000,"timestamp":"{{now:O}}"}]}""");
        var second = await NextEvent(reader, cancel.Token);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("member", first.GetProperty("type").GetString());
        Assert.Equal(("account", "alice"), (second.GetProperty("type").GetString(), second.GetProperty("data").GetProperty("accountId").GetString()));
    }

    /// <summary>
    /// The operator's override of the index move band over HTTP: an admin call (401 without a token), 404 for an asset
    /// the market does not price, 400 for a level of 0, 200 naming the index in force (60,000). The BTC index of 1e20 is refused
    /// <c>indexJump</c> before it and accepted after it (once): the next, 1e20 x 1.2, is refused again.
    /// </summary>
    [Fact]
    public async Task Accept_next_index_is_an_admin_call_that_lets_exactly_one_index_jump_through()
    {
        var now = DateTimeOffset.UtcNow;
        var jump = $$"""{"indices":[{"asset":"BTC","price":100000000000000000000,"timestamp":"{{now:O}}"}]}""";
        var before = await Post("/api/v1/prices", jump);
        using var anonymous = await Http.PostAsync(new Uri("/api/v1/prices/accept-next-index/BTC", UriKind.Relative), null);
        using var unknown = await Admin(HttpMethod.Post, "/api/v1/prices/accept-next-index/DOGE");
        using var zero = await Admin(HttpMethod.Post, "/api/v1/prices/accept-next-index/BTC?near=0");
        using var armed = await Admin(HttpMethod.Post, "/api/v1/prices/accept-next-index/BTC");
        var answer = await armed.Content.ReadFromJsonAsync<JsonElement>();
        var after = await Post("/api/v1/prices", jump);
        var again = await Post("/api/v1/prices", $$"""{"indices":[{"asset":"BTC","price":120000000000000000000,"timestamp":"{{now:O}}"}]}""");

        var refused = before.Body.GetProperty("results")[0];
        Assert.Equal(("rejected", "indexJump"), (refused.GetProperty("outcome").GetString(), refused.GetProperty("code").GetString()));
        Assert.Contains("from the last accepted 60000, beyond the 10% band; nothing moved", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        Assert.Equal(HttpStatusCode.OK, armed.StatusCode);
        Assert.Equal(("armed", "BTC", 60000m), (answer.GetProperty("outcome").GetString(), answer.GetProperty("asset").GetString(), answer.GetProperty("lastIndex").GetDecimal()));
        Assert.Equal("accepted", after.Body.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.Equal("indexJump", again.Body.GetProperty("results")[0].GetProperty("code").GetString());
        // Other nodes of this test run share the process's meters: at least this node's two refusals and one override.
        var metrics = await Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.True(Sample(metrics, "crossmargin_prices_index_jumps_total{outcome=\"refused\"}") >= 2, metrics);
        Assert.True(Sample(metrics, "crossmargin_prices_index_jumps_total{outcome=\"overridden\"}") >= 1, metrics);
        // The series a cluster's alert watches (a node that caught up from its peers' saved index) is exported on every node.
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("crossmargin_prices_index_jumps_total{outcome=\"adoptedFromPeer\"} ", StringComparison.Ordinal));
    }

    private static double Sample(string metrics, string series) =>
        double.Parse(metrics.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<JsonElement> NextEvent(StreamReader reader, CancellationToken cancellation)
    {
        while (await reader.ReadLineAsync(cancellation) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            }
        }

        throw new InvalidOperationException("The stream ended.");
    }

    private async Task OpenWithPosition(string account, decimal quantity)
    {
        Assert.Equal(HttpStatusCode.OK, (await Post("/api/v1/accounts", $$"""{"messageId":"open-{{account}}","source":"accounts","sequence":1,"accountId":"{{account}}"}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Post("/api/v1/deposits",
            $$"""{"messageId":"d-{{account}}","source":"wallet","sequence":1,"accountId":"{{account}}","asset":"USDT","amount":1000}""")).Status);
        if (quantity > 0)
        {
            Assert.Equal(HttpStatusCode.OK, (await Post("/api/v1/executions",
                $$"""{"messageId":"e-{{account}}","source":"me","sequence":1,"accountId":"{{account}}","executionId":"e-{{account}}","orderId":"o-{{account}}","symbol":"BTC-PERP","side":"buy","quantity":{{quantity}},"price":60000,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z"}""")).Status);
        }
    }

    private async Task<HttpResponseMessage> Admin(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await Http.SendAsync(request);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(new Uri(path, UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
