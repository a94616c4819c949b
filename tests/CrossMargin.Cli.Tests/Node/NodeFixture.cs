using System.Net.Http.Json;
using CrossMargin.Cli.Node;
using CrossMargin.Node.Api;
using CrossMargin.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace CrossMargin.Cli.Tests.Node;

/// <summary>
/// A real node (Program.cs's composition, simulator off, the repository's config/ and an admin token) on an in-process
/// test server, with two accounts: alice (1,000 USDT, long 1,000 BTC-PERP at 60,000) and carol (1,000 USDT).
/// </summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public const string AdminToken = "cli-admin-token-0123456789";
    private WebApplication _app = null!;
    private string _data = null!;

    public HttpMessageHandler Handler { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public async Task InitializeAsync()
    {
        _data = Directory.CreateTempSubdirectory("cm-cli-node-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = _data });
        builder.AddCrossMarginConfiguration(ConfigurationDirectory.Resolve([]),
                ["--Node:DataDirectory=" + _data, "--Simulator:Enabled=false", "--Security:Tokens:ops:Token=" + AdminToken])
            .AddCrossMarginLogging()
            .AddCrossMarginEngine();
        builder.WebHost.UseTestServer();
        _app = builder.Build();
        _app.MapCrossMarginApi();
        await _app.StartAsync();
        Handler = _app.GetTestServer().CreateHandler();
        Client = _app.GetTestClient();
        foreach (var (account, quantity) in new[] { ("alice", 1000m), ("carol", 0m) })
        {
            await Post("/api/v1/accounts", $$"""{"messageId":"open-{{account}}","source":"accounts","sequence":1,"accountId":"{{account}}"}""");
            await Post("/api/v1/deposits", $$"""{"messageId":"d-{{account}}","source":"wallet","sequence":1,"accountId":"{{account}}","asset":"USDT","amount":1000}""");
            if (quantity > 0)
            {
                await Post("/api/v1/executions",
                    $$"""{"messageId":"e-{{account}}","source":"me","sequence":1,"accountId":"{{account}}","executionId":"e-{{account}}","orderId":"o-{{account}}","symbol":"BTC-PERP","side":"buy","quantity":{{quantity}},"price":60000,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z"}""");
            }
        }
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        Handler.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>Runs <c>cm</c> against the node, off the test's synchronization context, with only <paramref name="environment"/> set.</summary>
    public Task<(int Exit, string Output, string Error)> Cm(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Task.Run(() =>
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var access = new NodeAccess { Handler = Handler, Environment = name => environment?.GetValueOrDefault(name) };
            var exit = CliApp.Run(args, TextReader.Null, output, error, access);
            return (exit, output.ToString(), error.ToString());
        });

    /// <summary><see cref="Cm(IReadOnlyDictionary{string, string}?, string[])"/> with an empty environment.</summary>
    public Task<(int Exit, string Output, string Error)> Cm(params string[] args) => Cm(null, args);

    private async Task Post(string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync(new Uri(path, UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
        _ = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
    }
}
