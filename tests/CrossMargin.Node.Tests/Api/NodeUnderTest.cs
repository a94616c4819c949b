using CrossMargin.Node.Api;
using CrossMargin.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CrossMargin.Node.Tests.Api;

/// <summary>
/// The node as <c>Program.cs</c> composes it, from the repository's config/ with the simulator off, on an in-memory
/// test server and a journal in <see cref="DataDirectory"/>.
/// </summary>
public sealed class NodeUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;

    private NodeUnderTest(WebApplication app, string dataDirectory)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Client = app.GetTestClient();
    }

    public string DataDirectory { get; }

    public string ConfigDirectory { get; } = ConfigurationDirectory.Resolve([]);

    public HttpClient Client { get; }

    /// <summary>The node's services (its <c>EngineHost</c>, options...).</summary>
    public IServiceProvider Services => _app.Services;

    public static Task<NodeUnderTest> StartAsync(string? dataDirectory = null, params string[] settings) => CreateAsync(dataDirectory, null, null, settings);

    /// <summary>The node with <paramref name="map"/> adding endpoints of the test's own (e.g. one that throws).</summary>
    public static Task<NodeUnderTest> StartWithAsync(Action<WebApplication>? map, params string[] settings) => CreateAsync(null, map, null, settings);

    /// <summary>The node on <paramref name="clock"/> instead of the system's (e.g. a date after the venue's contracts expire).</summary>
    public static Task<NodeUnderTest> StartWithClockAsync(TimeProvider clock, params string[] settings) => CreateAsync(null, null, clock, settings);

    /// <summary>The node on <paramref name="clock"/> over the journal in <paramref name="dataDirectory"/> (a restart on another date).</summary>
    public static Task<NodeUnderTest> StartWithClockAsync(string dataDirectory, TimeProvider clock, params string[] settings) =>
        CreateAsync(dataDirectory, null, clock, settings);

    private static async Task<NodeUnderTest> CreateAsync(string? dataDirectory, Action<WebApplication>? map, TimeProvider? clock, string[] settings)
    {
        var data = dataDirectory ?? Directory.CreateTempSubdirectory("cm-node-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = data });
        builder.AddCrossMarginConfiguration(ConfigurationDirectory.Resolve([]), ["--Node:DataDirectory=" + data, "--Simulator:Enabled=false", .. settings])
            .AddCrossMarginLogging()
            .AddCrossMarginEngine();
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }

        builder.WebHost.UseTestServer();
        var app = builder.Build();
        app.MapCrossMarginApi();
        map?.Invoke(app);
        await app.StartAsync();
        return new NodeUnderTest(app, data);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Stops the node and deletes its data directory (a test that restarts on the same data uses <see cref="DisposeAsync"/>).</summary>
    public async Task DisposeAndDeleteDataAsync()
    {
        await DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // pooled connections keep the journal file open
        Directory.Delete(DataDirectory, recursive: true);
    }
}
