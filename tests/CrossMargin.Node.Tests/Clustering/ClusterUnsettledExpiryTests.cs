using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrossMargin.Node.Tests.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// <c>GET /api/v1/expiries/unsettled</c> on a cluster node lists every member's accounts awaiting a settlement, not only
/// the shards that node owns: a venue settling the holders one node knows would leave the others margined at the index.
/// One real node (serving every shard, on a market where BTC-22NOV26 has expired) holds alice; a second member, a
/// stand-in web app registered in the membership table, answers its local part with bob and, during a hand-off, alice again.
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class ClusterUnsettledExpiryTests(ClusterServers servers) : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private ExpiredFutureMarket _market = null!;
    private NodeUnderTest _node = null!;

    public async Task InitializeAsync()
    {
        _market = await ExpiredFutureMarket.WriteAsync();
        _cluster = await TestCluster.CreateAsync(servers, 4);
        _node = await _cluster.StartNodeAsync("ua", "--Node:MarketFile=" + _market.Path);
        await _cluster.AllShardsServedAsync([_node], TimeSpan.FromSeconds(30));
        await ExpiredFutureMarket.BuyAsync(_node.Client, "alice", ExpiredFutureMarket.Symbol, 2_000m, "2026-11-21T09:00:00Z");
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _market.Dispose();
    }

    [Fact]
    public async Task A_cluster_node_lists_the_holders_every_member_knows_and_its_own_alone_when_asked_for_its_local_part()
    {
        string? askedWith = null;
        await using var member = await MemberAsync(query => askedWith = query, """
            {"valuationTime":"2026-11-24T00:00:00+00:00","accountsRead":7,"scope":"node","instruments":[{"symbol":"BTC-22NOV26","expiry":"2026-11-22T08:00:00+00:00",
             "holders":[{"accountId":"bob","quantity":-500,"entryPrice":59000,"openOrders":1},{"accountId":"alice","quantity":2000,"entryPrice":60000,"openOrders":0}]}]}
            """);
        await AddMemberAsync("ub", member.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

        var cluster = await _node.Client.GetFromJsonAsync<JsonElement>("/api/v1/expiries/unsettled");
        var local = await _node.Client.GetFromJsonAsync<JsonElement>("/api/v1/expiries/unsettled?scope=local");

        Assert.Equal("?scope=local", askedWith);
        Assert.Equal(("cluster", false), (cluster.GetProperty("scope").GetString(), cluster.GetProperty("partial").GetBoolean()));
        Assert.Equal([("alice", 2_000m), ("bob", -500m)], HoldersOf(cluster));
        Assert.Equal(8, cluster.GetProperty("accountsRead").GetInt32());
        Assert.Equal([("ua", true, 1, 1), ("ub", true, 7, 2)], cluster.GetProperty("nodes").EnumerateArray()
            .Select(n => (n.GetProperty("node").GetString(), n.GetProperty("answered").GetBoolean(), n.GetProperty("accountsEvaluated").GetInt32(),
                n.GetProperty("accountsFlagged").GetInt32())));
        Assert.Equal("node", local.GetProperty("scope").GetString());
        Assert.Equal([("alice", 2_000m)], HoldersOf(local));
    }

    [Fact]
    public async Task A_member_that_cannot_be_reached_makes_the_list_partial_naming_it()
    {
        // Port 9 (discard) has no listener on these machines: the connection is refused at once.
        await AddMemberAsync("ghost", "http://127.0.0.1:9");

        var body = await _node.Client.GetFromJsonAsync<JsonElement>("/api/v1/expiries/unsettled");

        Assert.True(body.GetProperty("partial").GetBoolean());
        Assert.Equal([("alice", 2_000m)], HoldersOf(body));
        var ghost = body.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("node").GetString() == "ghost");
        Assert.False(ghost.GetProperty("answered").GetBoolean());
        Assert.StartsWith("unreachable at http://127.0.0.1:9/", ghost.GetProperty("problem").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scope_other_than_cluster_or_local_is_refused_400()
    {
        using var response = await _node.Client.GetAsync("/api/v1/expiries/unsettled?scope=everything");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not 'everything'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static (string?, decimal)[] HoldersOf(JsonElement body) =>
        [.. body.GetProperty("instruments").EnumerateArray().Single(i => i.GetProperty("symbol").GetString() == ExpiredFutureMarket.Symbol)
            .GetProperty("holders").EnumerateArray().Select(h => (h.GetProperty("accountId").GetString(), h.GetProperty("quantity").GetDecimal()))];

    /// <summary>A member that answers its local part of the unsettled list with <paramref name="json"/>, telling what query it was asked with.</summary>
    private static async Task<WebApplication> MemberAsync(Action<string> asked, string json)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/api/v1/expiries/unsettled", (HttpRequest request) =>
        {
            asked(request.QueryString.Value ?? "");
            return Results.Content(json, "application/json");
        });
        await app.StartAsync();
        return app;
    }

    private Task AddMemberAsync(string name, string address) => _cluster.AddStandInMemberAsync(name, address);
}
