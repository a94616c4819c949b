using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrossMargin.Node.Tests.Api;

/// <summary>
/// The venue's market file with one more future, <see cref="Symbol"/>, which expired on 2026-11-22 08:00: a node started
/// on it starts with the future expired, and fills executed the day before (after the file's valuation time) are applied
/// as late fills, so a test can make accounts hold it unsettled.
/// </summary>
public sealed class ExpiredFutureMarket : IDisposable
{
    /// <summary>The expired future.</summary>
    public const string Symbol = "BTC-22NOV26";

    private ExpiredFutureMarket(string path) => Path = path;

    /// <summary>The market file.</summary>
    public string Path { get; }

    /// <summary>Writes the file into a new temporary directory.</summary>
    public static async Task<ExpiredFutureMarket> WriteAsync()
    {
        var path = System.IO.Path.Combine(Directory.CreateTempSubdirectory("cm-market-").FullName, "market.json");
        var market = JsonNode.Parse(await File.ReadAllTextAsync(System.IO.Path.Combine(CrossMargin.Node.Hosting.ConfigurationDirectory.Resolve([]), "venue", "market.json")))!;
        market["instruments"]!.AsArray().Add(JsonNode.Parse($$"""
            {"symbol":"{{Symbol}}","type":"future","underlying":"BTC","quote":"USDT","settlement":"linear","contractSize":0.001,"tickSize":0.1,"expiry":"2026-11-22T08:00:00Z"}
            """));
        market["marks"]!.AsArray().Add(JsonNode.Parse($$"""{"symbol":"{{Symbol}}","price":60000}"""));
        await File.WriteAllTextAsync(path, market.ToJsonString());
        return new ExpiredFutureMarket(path);
    }

    /// <summary>
    /// Opens <paramref name="account"/> through <paramref name="http"/> with 100,000 USDT and buys <paramref name="quantity"/>
    /// of <paramref name="symbol"/> at 60,000, executed at <paramref name="executed"/>.
    /// </summary>
    public static async Task BuyAsync(HttpClient http, string account, string symbol, decimal quantity, string executed)
    {
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, "/api/v1/accounts", $$"""{"messageId":"open-{{account}}","source":"accounts","sequence":1,"accountId":"{{account}}"}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, "/api/v1/deposits",
            $$"""{"messageId":"d-{{account}}","source":"wallet","sequence":1,"accountId":"{{account}}","asset":"USDT","amount":100000}""")).Status);
        var (status, body) = await PostAsync(http, "/api/v1/executions",
            $$"""{"messageId":"e-{{account}}","source":"me","sequence":1,"accountId":"{{account}}","executionId":"e-{{account}}","orderId":"o-{{account}}","symbol":"{{symbol}}","side":"buy","quantity":{{quantity}},"price":60000,"fee":0,"liquidity":"taker","timestamp":"{{executed}}"}""");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
    }

    /// <summary>Posts <paramref name="json"/> to <paramref name="path"/>: the status and the JSON answer.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, string path, string json)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>Deletes the file's directory.</summary>
    public void Dispose() => Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true);
}
