using System.Net;
using System.Net.Sockets;
using CrossMargin.Node.Api;
using CrossMargin.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace CrossMargin.Cli.Tests.Cluster;

/// <summary>
/// A whole node (Program.cs's composition, simulator off) in cluster mode, on Kestrel at a free loopback port: the
/// address it writes in its membership row is real, so other members can reach its admin API.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _data;
    private int _disposed;

    private ClusterNode(string name, WebApplication app, string data, Uri url)
    {
        Name = name;
        _app = app;
        _data = data;
        Url = url;
    }

    /// <summary>The node's name and cluster id.</summary>
    public string Name { get; }

    /// <summary>Where its API listens.</summary>
    public Uri Url { get; }

    /// <summary>The shards this node serves now (its own view, not the lease table's).</summary>
    public IReadOnlyCollection<int> Shards => _app.Services.GetRequiredService<EngineHost>().Cluster?.Node.Shards.Keys.ToArray() ?? [];

    /// <summary>Starts the node with <paramref name="settings"/> and waits until it is ready.</summary>
    public static async Task<ClusterNode> StartAsync(string name, params string[] settings)
    {
        var data = Directory.CreateTempSubdirectory("cm-cli-cluster-").FullName;
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = data });
        builder.AddCrossMarginConfiguration(ConfigurationDirectory.Resolve([]),
                ["--Node:DataDirectory=" + data, "--Node:HttpUrl=" + url, "--Simulator:Enabled=false", .. settings])
            .AddCrossMarginLogging()
            .AddCrossMarginEngine();
        var app = builder.Build();
        app.MapCrossMarginApi();
        await app.StartAsync();
        var node = new ClusterNode(name, app, data, url);
        using var http = new HttpClient { BaseAddress = url };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while ((await http.GetAsync(new Uri("/ready", UriKind.Relative))).StatusCode != HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline)
            {
                await node.DisposeAsync();
                throw new TimeoutException($"Node {name} at {url} was not ready within a minute.");
            }

            await Task.Delay(100);
        }

        return node;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
