using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CrossMargin.Cli.Node;
using CrossMargin.Testing.Cluster;

namespace CrossMargin.Cli.Tests.Cluster;

/// <summary>
/// Three nodes (n1, n2, n3) in cluster mode over a private PostgreSQL and RabbitMQ, 8 shards, an admin token, and
/// twelve accounts opened through n1: each with 1,000 USDT, some long BTC-PERP at 60,000 (see <see cref="Longs"/>).
/// Shared by the tests of a class; a test that adds a member removes it before it ends.
/// </summary>
public sealed class ThreeNodeCluster : IAsyncLifetime
{
    public const int ShardCount = 8;
    public const string AdminToken = "cli-cluster-admin-token-0123456789";

    /// <summary>The accounts and their BTC-PERP long (0: cash only).</summary>
    public static readonly IReadOnlyDictionary<string, decimal> Longs = new Dictionary<string, decimal>
    {
        ["acc-00"] = 1000, ["acc-01"] = 0, ["acc-02"] = 500, ["acc-03"] = 10, ["acc-04"] = 1000, ["acc-05"] = 0,
        ["acc-06"] = 200, ["acc-07"] = 0, ["acc-08"] = 800, ["acc-09"] = 50, ["acc-10"] = 0, ["acc-11"] = 300,
    };

    private readonly ClusterServers _servers = new();
    private string _connectionString = "";
    private string _prefix = "";

    public IReadOnlyList<ClusterNode> Nodes { get; private set; } = [];

    /// <summary>The cluster's broker and its topology prefix, for tests that ask it directly.</summary>
    public (Uri Amqp, string Prefix) Broker => (_servers.RabbitMq.AmqpUri, _prefix);

    public async Task InitializeAsync()
    {
        await _servers.InitializeAsync();
        (_connectionString, _prefix) = await _servers.NewClusterAsync();
        var nodes = new List<ClusterNode>();
        foreach (var name in new[] { "n1", "n2", "n3" })
        {
            nodes.Add(await StartMemberAsync(name));
        }

        Nodes = nodes;
        await SettledAsync(Nodes, TimeSpan.FromSeconds(45));
        foreach (var (account, quantity) in Longs)
        {
            await PostAsync(Nodes[0], "/api/v1/accounts", $$"""{"messageId":"open-{{account}}","source":"accounts","sequence":1,"accountId":"{{account}}"}""");
            await PostAsync(Nodes[1], "/api/v1/deposits",
                $$"""{"messageId":"d-{{account}}","source":"wallet","sequence":1,"accountId":"{{account}}","asset":"USDT","amount":1000}""");
            if (quantity > 0)
            {
                await PostAsync(Nodes[2], "/api/v1/executions",
                    $$"""{"messageId":"e-{{account}}","source":"me","sequence":1,"accountId":"{{account}}","executionId":"e-{{account}}","orderId":"o-{{account}}","symbol":"BTC-PERP","side":"buy","quantity":{{quantity}},"price":60000,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z"}""");
            }
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        await _servers.DisposeAsync();
    }

    /// <summary>Starts one more member of this cluster.</summary>
    /// <remarks>
    /// Heartbeats may lapse for 5 s rather than the fixture's 1 s: these tests never wait for a silent node to be declared
    /// down, and on a loaded machine a 1 s pause downed healthy members mid-test, moving their shards away.
    /// </remarks>
    public Task<ClusterNode> StartMemberAsync(string name, params string[] extra) =>
        ClusterNode.StartAsync(name, [.. _servers.NodeSettings(name, _connectionString, _prefix, ShardCount), "--Cluster:HeartbeatTimeout=00:00:05",
            "--Security:Tokens:ops:Token=" + AdminToken, .. extra]);

    /// <summary>Runs <c>cm</c> (over real HTTP) against <paramref name="via"/>, off the test's synchronization context.</summary>
    public static Task<(int Exit, string Output, string Error)> Cm(ClusterNode via, params string[] args) =>
        Task.Run(() =>
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var access = new NodeAccess { Environment = _ => null };
            var exit = CliApp.Run([.. args, "--node", via.Url.ToString()], TextReader.Null, output, error, access);
            return (exit, output.ToString(), error.ToString());
        });

    /// <summary>Waits until <paramref name="nodes"/> serve every shard exactly once, evenly spread.</summary>
    public static async Task SettledAsync(IReadOnlyList<ClusterNode> nodes, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var held = nodes.Select(n => n.Shards).ToArray();
            if (held.SelectMany(h => h).Order().SequenceEqual(Enumerable.Range(0, ShardCount)) && held.Max(h => h.Count) - held.Min(h => h.Count) <= 1)
            {
                return;
            }

            Assert.True(clock.Elapsed < within, $"the shards did not settle over {string.Join(", ", nodes.Select(n => n.Name))} within {within}");
            await Task.Delay(100);
        }
    }

    /// <summary>POSTs <paramref name="json"/> with the admin token and returns the answer's JSON.</summary>
    public static async Task<JsonElement> PostAsync(ClusterNode via, string path, string json)
    {
        using var http = new HttpClient { BaseAddress = via.Url };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} on {via.Name}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
