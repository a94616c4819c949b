using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrossMargin.Node.Tests.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// The cluster-wide operations (stress, dry-run, parameters in force) against members that cannot give their part: one
/// whose admin address refuses connections, and one whose accounts do not fit the posted parameters (it answers 422).
/// The members are rows in the membership table (status <c>leaving</c>, so no shard is assigned to them, with a fresh
/// heartbeat, so they are asked) beside one real node that serves every shard.
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class ClusterFanOutTests(ClusterServers servers) : IAsyncLifetime
{
    private const string AdminToken = "cluster-test-admin-token-0123456789";
    private TestCluster _cluster = null!;
    private NodeUnderTest _node = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.CreateAsync(servers, 4);
        _node = await _cluster.StartNodeAsync("fa", "--Security:Tokens:ops:Token=" + AdminToken);
        await _cluster.AllShardsServedAsync([_node], TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_member_whose_address_refuses_connections_makes_the_stress_and_the_parameters_view_partial_naming_it()
    {
        // Port 9 (discard) has no listener on these machines: the connection is refused at once.
        await AddMemberAsync("ghost", "http://127.0.0.1:9");

        using var stress = await _node.Client.PostAsJsonAsync("/api/v1/stress", new { spot = new Dictionary<string, decimal> { ["BTC"] = -0.3m } });
        var report = await stress.Content.ReadFromJsonAsync<JsonElement>();
        var shown = await _node.Client.GetFromJsonAsync<JsonElement>("/api/v1/risk/params");

        Assert.Equal(HttpStatusCode.OK, stress.StatusCode);
        Assert.True(report.GetProperty("partial").GetBoolean());
        var ghost = report.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("node").GetString() == "ghost");
        Assert.False(ghost.GetProperty("answered").GetBoolean());
        Assert.StartsWith("unreachable at http://127.0.0.1:9/", ghost.GetProperty("problem").GetString(), StringComparison.Ordinal);
        Assert.Equal((true, false), (shown.GetProperty("partial").GetBoolean(), shown.GetProperty("converged").GetBoolean()));
        Assert.Contains(shown.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("node").GetString() == "ghost" && !n.GetProperty("answered").GetBoolean());
    }

    [Fact]
    public async Task A_dry_run_whose_file_does_not_fit_another_members_accounts_is_that_members_422()
    {
        await using var picky = await PickyMemberAsync();
        await AddMemberAsync("picky", picky.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        var text = await File.ReadAllTextAsync(Path.Combine(_node.ConfigDirectory, "risk", "standard.json"));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/risk/params?dryRun=true") { Content = new StringContent(text, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await _node.Client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("On member picky: answered 422: Account z-1 cannot be assessed with the posted parameters: no ETH", body.GetProperty("detail").GetString());
    }

    /// <summary>A member that answers every dry-run part with the 422 a node gives when an account does not fit.</summary>
    private static async Task<WebApplication> PickyMemberAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/api/v1/risk/params", () => Results.Problem("Account z-1 cannot be assessed with the posted parameters: no ETH",
            statusCode: StatusCodes.Status422UnprocessableEntity, title: "Parameters do not fit the book"));
        await app.StartAsync();
        return app;
    }

    private Task AddMemberAsync(string name, string address) => _cluster.AddStandInMemberAsync(name, address);
}
