using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CrossMargin.Node.Tests.Api;

/// <summary>
/// <c>GET /api/v1/expiries/unsettled</c>: per expired instrument, the accounts still holding it that the venue has not
/// settled. The node runs on the venue's market with one more future, BTC-22NOV26, which expired on 2026-11-22 08:00
/// (before the node starts, so it starts expired). alice and bob each bought into it the day before (after the market file's valuation time) (fills the venue
/// sends late, applied because executed before the expiry); bob is then settled; carol holds only a perpetual.
/// </summary>
public sealed class UnsettledExpiryEndpointTests : IAsyncLifetime
{
    private const string Expired = ExpiredFutureMarket.Symbol;

    private NodeUnderTest _node = null!;
    private ExpiredFutureMarket _market = null!;

    private HttpClient Http => _node.Client;

    public async Task InitializeAsync()
    {
        _market = await ExpiredFutureMarket.WriteAsync();
        _node = await NodeUnderTest.StartAsync(null, "--Node:MarketFile=" + _market.Path);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAndDeleteDataAsync();
        _market.Dispose();
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

    private Task Buy(string account, string symbol, decimal quantity, string executed) => ExpiredFutureMarket.BuyAsync(Http, account, symbol, quantity, executed);

    private Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string json) => ExpiredFutureMarket.PostAsync(Http, path, json);
}
