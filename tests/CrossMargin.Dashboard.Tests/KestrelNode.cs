using System.Net;
using System.Net.Sockets;
using CrossMargin.Node.Api;
using CrossMargin.Node.Hosting;
using Microsoft.AspNetCore.Builder;

namespace CrossMargin.Dashboard.Tests;

/// <summary>
/// A real node as Program.cs composes it, listening with Kestrel on a free loopback port, with the simulator on and
/// its crash brought forward so liquidations happen within the test.
/// </summary>
public sealed class KestrelNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _data;

    private KestrelNode(WebApplication app, string data, Uri url)
    {
        _app = app;
        _data = data;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<KestrelNode> StartAsync(params string[] settings)
    {
        var data = Directory.CreateTempSubdirectory("cm-dashboard-").FullName;
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = data });
        builder.AddCrossMarginConfiguration(ConfigurationDirectory.Resolve([]), ["--Node:DataDirectory=" + data, "--Node:HttpUrl=" + url, .. settings])
            .AddCrossMarginLogging()
            .AddCrossMarginEngine();
        var app = builder.Build();
        app.MapCrossMarginApi();
        await app.StartAsync();
        var node = new KestrelNode(app, data, url);
        await node.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private async Task WaitUntilReadyAsync(TimeSpan patience)
    {
        using var http = new HttpClient { BaseAddress = Url };
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync(new Uri("/ready", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The node at {Url} was not ready within {patience}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
