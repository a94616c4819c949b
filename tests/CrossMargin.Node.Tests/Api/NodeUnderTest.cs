using CrossMargin.Node.Api;
using CrossMargin.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

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

    public HttpClient Client { get; }

    public static async Task<NodeUnderTest> StartAsync(string? dataDirectory = null, params string[] settings)
    {
        var data = dataDirectory ?? Directory.CreateTempSubdirectory("cm-node-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = data });
        builder.AddCrossMarginConfiguration(ConfigurationDirectory.Resolve([]), ["--Node:DataDirectory=" + data, "--Simulator:Enabled=false", .. settings])
            .AddCrossMarginLogging()
            .AddCrossMarginEngine();
        builder.WebHost.UseTestServer();
        var app = builder.Build();
        app.MapCrossMarginApi();
        await app.StartAsync();
        return new NodeUnderTest(app, data);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
