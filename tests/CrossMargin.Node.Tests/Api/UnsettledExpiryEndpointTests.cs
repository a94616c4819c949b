using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrossMargin.Node.Tests.Api;

/// <summary>
/// <c>GET /api/v1/expiries/unsettled</c>: per expired instrument, the accounts still holding it that the venue has not
/// settled. The node runs on the venue's market with one more future, BTC-22NOV26, which expired on 2026-11-22 08:00
/// (before the node starts, so it starts expired). alice and bob each bought into it the day before (after the market file's valuation time) (fills the venue
/// sends late, applied because executed before the expiry); bob is then settled; carol holds only a perpetual.
/// </summary>
public sealed class UnsettledExpiryEndpointTests : IAsyncLifetime
{
    private const string Expired = "BTC-22NOV26";

    private NodeUnderTest _node = null!;
    private string _market = null!;

    private HttpClient Http => _node.Client;

    public async Task InitializeAsync()
    {
        _market = Path.Combine(Directory.CreateTempSubdirectory("cm-market-").FullName, "market.json");
        var market = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(CrossMargin.Node.Hosting.ConfigurationDirectory.Resolve([]), "venue", "market.json")))!;
        market["instruments"]!.AsArray().Add(JsonNode.Parse($$"""
            {"symbol":"{{Expired}}","type":"future","underlying":"BTC","quote":"USDT","settlement":"linear","contractSize":0.001,"tickSize":0.1,"expiry":"2026-11-22T08:00:00Z"}
            """));
        market["marks"]!.AsArray().Add(JsonNode.Parse($$"""{"symbol":"{{Expired}}","price":60000}"""));
        await File.WriteAllTextAsync(_market, market.ToJsonString());
        _node = await NodeUnderTest.StartAsync(null, "--Node:MarketFile=" + _market);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAndDeleteDataAsync();
        Directory.Delete(Path.GetDirectoryName(_market)!, recursive: true);
    }

    [Fact]
    public async Task The_accounts_holding_an_expired_future_unsettled_are_listed_and_a_settled_one_is_not()
    {
        await Buy("alice", Expired, 2_000m, "2026-11-21T09:00:00Z");
        await Buy("bob", Expired, 1_000m, "2026-11-21T10:00:00Z");
        await Buy("carol", "BTC-PERP", 1_000m, "2026-11-21T08:00:00Z");
        var settled = await Post("/api/v1/expiry", $$"""{"messageId":"settle-bob","source":"settlement","sequence":1,"accountId":"bob","symbol":"{{Expired}}","settlementPrice":60000}""");
        Assert.Equal(HttpStatusCode.OK, settled.Status);

        using var response = await Http.GetAsync(new Uri("/api/v1/expiries/unsettled", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var instrument = Assert.Single(body.GetProperty("instruments").EnumerateArray());
        Assert.Equal((Expired, DateTimeOffset.Parse("2026-11-22T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture)),
            (instrument.GetProperty("symbol").GetString(), instrument.GetProperty("expiry").GetDateTimeOffset()));
        var holder = Assert.Single(instrument.GetProperty("holders").EnumerateArray());
        Assert.Equal(("alice", 2_000m, 60_000m, 0), (holder.GetProperty("accountId").GetString(), holder.GetProperty("quantity").GetDecimal(),
            holder.GetProperty("entryPrice").GetDecimal(), holder.GetProperty("openOrders").GetInt32()));
    }

    /// <summary>Opens <paramref name="account"/> with 100,000 USDT and buys <paramref name="quantity"/> of <paramref name="symbol"/> at 60,000, executed at <paramref name="executed"/>.</summary>
    private async Task Buy(string account, string symbol, decimal quantity, string executed)
    {
        Assert.Equal(HttpStatusCode.OK, (await Post("/api/v1/accounts", $$"""{"messageId":"open-{{account}}","source":"accounts","sequence":1,"accountId":"{{account}}"}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Post("/api/v1/deposits",
            $$"""{"messageId":"d-{{account}}","source":"wallet","sequence":1,"accountId":"{{account}}","asset":"USDT","amount":100000}""")).Status);
        var (status, body) = await Post("/api/v1/executions",
            $$"""{"messageId":"e-{{account}}","source":"me","sequence":1,"accountId":"{{account}}","executionId":"e-{{account}}","orderId":"o-{{account}}","symbol":"{{symbol}}","side":"buy","quantity":{{quantity}},"price":60000,"fee":0,"liquidity":"taker","timestamp":"{{executed}}"}""");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(new Uri(path, UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
