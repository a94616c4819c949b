using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CrossMargin.Node.Tests.Api;

/// <summary>
/// <c>POST /api/v1/risk/params</c> without <c>dryRun</c> on an embedded node: the set is stored as the slot's next
/// version in the node's SQLite file, put in force without a restart, refused when it would liquidate without the
/// override or when another apply got there first, and used again after a restart.
/// </summary>
/// <remarks>
/// alice holds 1,000 USDT and is long 1,000 BTC-PERP bought at the mark: her equity E, IM and MM are read from the node,
/// and the standard file's rates multiplied by 1.5 E / IM put her IM above E and her MM (half her IM) below it: a
/// margin call, nothing worse. x40 puts her MM above E: liquidation.
/// </remarks>
public sealed class ParameterApplyTests : IAsyncLifetime
{
    private const string AdminToken = "admin-secret-0123456789";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private NodeUnderTest _node = null!;

    private HttpClient Http => _node.Client;

    public async Task InitializeAsync() => _node = await NodeUnderTest.StartAsync(null, "--Security:Tokens:ops:Token=" + AdminToken);

    public async Task DisposeAsync()
    {
        await _node.DisposeAndDeleteDataAsync();
    }

    [Fact]
    public async Task A_margin_call_only_set_is_stored_as_version_1_put_in_force_at_once_and_reverted_as_version_2()
    {
        await OpenAlice();
        var standard = await StandardText();

        var (status, applied) = await Apply(await MarginCallSet(standard), "?reason=" + Uri.EscapeDataString("tighter BTC tiers"));
        await AwaitStatus("marginCall");
        var shown = await Slot("standard");
        var history = await Http.GetFromJsonAsync<JsonElement>("/api/v1/risk/params/history?slot=standard");

        Assert.True(status == HttpStatusCode.OK, applied.ToString());
        Assert.Equal((true, 1L, 1, 0, "ops"), (applied.GetProperty("applied").GetBoolean(), applied.GetProperty("storedVersion").GetInt64(),
            applied.GetProperty("accountsChangingStatus").GetInt32(), applied.GetProperty("accountsIntoLiquidation").GetInt32(), applied.GetProperty("appliedBy").GetString()));
        Assert.Equal(("alice", "healthy", "marginCall"), Change(applied.GetProperty("changes")[0]));
        Assert.Equal(("stored", 1L, "ops", "tighter BTC tiers"), (shown.GetProperty("source").GetString(), shown.GetProperty("storedVersion").GetInt64(),
            shown.GetProperty("appliedBy").GetString(), shown.GetProperty("reason").GetString()));
        Assert.Equal(applied.GetProperty("version").GetString(), shown.GetProperty("version").GetString());
        Assert.False(shown.TryGetProperty("file", out _), "a stored version has no file");
        var entry = Assert.Single(history.GetProperty("versions").EnumerateArray());
        Assert.Equal((1L, "tighter BTC tiers"), (entry.GetProperty("version").GetInt64(), entry.GetProperty("reason").GetString()));

        var (revertStatus, reverted) = await Apply(standard, "?expectedVersion=1");
        await AwaitStatus("healthy");

        var audit = await Http.GetFromJsonAsync<JsonElement>("/api/v1/audit");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("who").GetString() == "ops" &&
            e.GetProperty("detail").GetString()!.Contains("applied to slot standard as version 1", StringComparison.Ordinal) &&
            e.GetProperty("detail").GetString()!.Contains("reason: tighter BTC tiers", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, revertStatus);
        Assert.Equal((2L, ("alice", "marginCall", "healthy")), (reverted.GetProperty("storedVersion").GetInt64(), Change(reverted.GetProperty("changes")[0])));
    }

    [Fact]
    public async Task A_set_that_would_liquidate_is_refused_with_the_numbers_and_applied_only_with_the_override()
    {
        await OpenAlice();
        var harsh = ParameterFiles.Multiply(await StandardText(), 40);

        var (refusedStatus, refused) = await Apply(harsh);
        var afterRefusal = await Http.GetFromJsonAsync<JsonElement>("/api/v1/risk/params/history");
        var (status, applied) = await Apply(harsh, "?allowLiquidations=true");

        Assert.Equal(HttpStatusCode.Conflict, refusedStatus);
        var detail = refused.GetProperty("detail").GetString()!;
        Assert.Contains("1 account(s) would move into liquidation or bankruptcy: alice Healthy -> Liquidation", detail, StringComparison.Ordinal);
        Assert.Contains("allowLiquidations", detail, StringComparison.Ordinal);
        Assert.Empty(afterRefusal.GetProperty("versions").EnumerateArray());
        var audit = await Http.GetFromJsonAsync<JsonElement>("/api/v1/audit");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("status").GetInt32() == 409 &&
            e.GetProperty("detail").GetString()!.Contains("for slot standard refused: 1 of 1 accounts change status, 1 into liquidation", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((1L, 1), (applied.GetProperty("storedVersion").GetInt64(), applied.GetProperty("accountsIntoLiquidation").GetInt32()));
        await AwaitStatus("liquidation");
    }

    [Fact]
    public async Task An_apply_against_a_version_that_is_no_longer_the_newest_is_a_409_and_changes_nothing()
    {
        var standard = await StandardText();
        Assert.Equal(HttpStatusCode.OK, (await Apply(standard, "?reason=first")).Status);

        var (status, body) = await Apply(ParameterFiles.Multiply(standard, 2), "?expectedVersion=0");
        var shown = await Slot("standard");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("expected version 0 to be the newest, but it is 1", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal((1L, "first"), (shown.GetProperty("storedVersion").GetInt64(), shown.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task A_restarted_node_puts_the_newest_stored_version_in_force_instead_of_its_file()
    {
        var standard = await StandardText();
        var milder = ParameterFiles.Multiply(standard, 0.5m);
        Assert.Equal(HttpStatusCode.OK, (await Apply(standard)).Status);
        var (_, applied) = await Apply(milder, "?reason=restart");
        await _node.DisposeAsync();

        _node = await NodeUnderTest.StartAsync(_node.DataDirectory, "--Security:Tokens:ops:Token=" + AdminToken);
        var shown = await Slot("standard");
        var logs = await Http.GetFromJsonAsync<JsonElement>("/api/v1/logs?lines=500");

        Assert.Equal(("stored", 2L, applied.GetProperty("version").GetString()), (shown.GetProperty("source").GetString(), shown.GetProperty("storedVersion").GetInt64(),
            shown.GetProperty("version").GetString()));
        Assert.Contains(logs.GetProperty("lines").EnumerateArray(), l => l.GetProperty("message").GetString()!.StartsWith("Risk parameters \"standard\": stored version 2",
            StringComparison.Ordinal));
        Assert.Equal("file", (await Slot("portfolio")).GetProperty("source").GetString());
    }

    [Fact]
    public async Task Apply_parameters_need_an_admin_token_and_a_known_slot()
    {
        using var anonymous = await Http.PostAsync(new Uri("/api/v1/risk/params", UriKind.Relative), new StringContent(await StandardText(), Encoding.UTF8, "application/json"));
        var (status, body) = await Apply(await StandardText(), "?slot=gamma");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("slot must be one of standard, portfolio, simm, var, es, composite, not 'gamma'", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static (string?, string?, string?) Change(JsonElement change) =>
        (change.GetProperty("accountId").GetString(), change.GetProperty("from").GetString(), change.GetProperty("to").GetString());

    private Task<string> StandardText() => File.ReadAllTextAsync(Path.Combine(_node.ConfigDirectory, "risk", "standard.json"));

    private async Task<string> MarginCallSet(string standard)
    {
        var margin = (await Http.GetFromJsonAsync<JsonElement>("/api/v1/accounts/alice")).GetProperty("margin");
        var (equity, im, mm) = (margin.GetProperty("equityUsd").GetDecimal(), margin.GetProperty("initialMarginUsd").GetDecimal(),
            margin.GetProperty("maintenanceMarginUsd").GetDecimal());
        Assert.True(mm * 2 <= im * 1.001m && im < equity, $"alice must be healthy with MM about half her IM: E {equity}, IM {im}, MM {mm}");
        return ParameterFiles.Multiply(standard, Math.Round(1.5m * equity / im, 2));
    }

    private async Task<JsonElement> Slot(string slot) =>
        (await Http.GetFromJsonAsync<JsonElement>("/api/v1/risk/params")).GetProperty("sets").EnumerateArray().Single(s => s.GetProperty("slot").GetString() == slot);

    private async Task AwaitStatus(string expected)
    {
        var deadline = DateTime.UtcNow + Wait;
        string? status = null;
        while (DateTime.UtcNow < deadline)
        {
            status = (await Http.GetFromJsonAsync<JsonElement>("/api/v1/accounts/alice")).GetProperty("margin").GetProperty("status").GetString();
            if (status == expected)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"alice stayed {status}, expected {expected}");
    }

    private async Task OpenAlice()
    {
        Assert.Equal(HttpStatusCode.OK, (await Post("/api/v1/accounts", """{"messageId":"open-alice","source":"accounts","sequence":1,"accountId":"alice"}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Post("/api/v1/deposits",
            """{"messageId":"d-alice","source":"wallet","sequence":1,"accountId":"alice","asset":"USDT","amount":1000}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Post("/api/v1/executions",
            """{"messageId":"e-alice","source":"me","sequence":1,"accountId":"alice","executionId":"e-alice","orderId":"o-alice","symbol":"BTC-PERP","side":"buy","quantity":1000,"price":60000,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z"}""")).Status);
        await AwaitStatus("healthy");
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Apply(string text, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/risk/params" + query, UriKind.Relative))
        {
            Content = new StringContent(text, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(new Uri(path, UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
