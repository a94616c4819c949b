using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CrossMargin.Node.Tests.Api;

/// <summary>
/// A feed that stops leaves its last index in force: the node shows each asset's index age in <c>/metrics</c>, counts
/// the silent ones, and answers <c>/ready</c> degraded (still 200: pre-trade checks and margin calls go on) naming them
/// until an index is accepted again. The node runs with <c>Prices:SilentAfter</c> at 5 s (its <c>MaxMarkAge</c>).
/// </summary>
public sealed class SilentPriceEndpointTests : IAsyncLifetime
{
    private NodeUnderTest _node = null!;

    private HttpClient Http => _node.Client;

    public async Task InitializeAsync() => _node = await NodeUnderTest.StartAsync(null, "--Prices:SilentAfter=00:00:05");

    public Task DisposeAsync() => _node.DisposeAndDeleteDataAsync();

    [Fact]
    public async Task An_asset_with_no_index_for_longer_than_the_bound_degrades_readiness_by_name_and_shows_in_the_metrics_until_it_ticks_again()
    {
        await PostIndices("BTC", "ETH");
        Assert.Equal("ready", (await Ready()).GetProperty("status").GetString());

        // ETH keeps ticking, BTC does not: past 5 s, BTC is silent.
        var degraded = await ReadyWhen("degraded", TimeSpan.FromSeconds(20), () => PostIndices("ETH"));
        Assert.Equal(["BTC"], degraded.GetProperty("silentPrices").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("00:00:05", degraded.GetProperty("silentAfter").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        var metrics = await Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("# TYPE crossmargin_price_index_age gauge\n", metrics, StringComparison.Ordinal);
        Assert.True(Sample(metrics, "crossmargin_price_index_age{asset=\"BTC\"}") > 5, metrics);
        // Other nodes of this test run share the process's meters: BTC is at least one of the count.
        Assert.True(Sample(metrics, "crossmargin_prices_silent") >= 1, metrics);

        await PostIndices("BTC", "ETH");
        Assert.Equal("ready", (await Ready()).GetProperty("status").GetString());
    }

    /// <summary>
    /// A node started while the feed is down: BTC and ETH, the underlyings of its listed instruments, have no index from
    /// the start, and past 5 s they are silent, counted from the node's start, in <c>/ready</c> and the metrics. The
    /// stablecoins, which a feed may never send and nothing listed has as underlying, are not. Their first indices make
    /// the node ready.
    /// </summary>
    [Fact]
    public async Task Underlyings_never_priced_since_the_node_started_degrade_readiness_past_the_bound_but_stablecoins_do_not()
    {
        var degraded = await ReadyWhen("degraded", TimeSpan.FromSeconds(20));

        Assert.Equal(["BTC", "ETH"], degraded.GetProperty("silentPrices").EnumerateArray().Select(a => a.GetString()));
        var metrics = await Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.True(Sample(metrics, "crossmargin_price_index_age{asset=\"ETH\"}") > 5, metrics);
        Assert.DoesNotContain("crossmargin_price_index_age{asset=\"USDT\"}", metrics, StringComparison.Ordinal);

        await PostIndices("BTC", "ETH");
        Assert.Equal("ready", (await Ready()).GetProperty("status").GetString());
    }

    private async Task PostIndices(params string[] assets)
    {
        // The node's clock is the system's: the index is stamped with it, as a live feed's would be.
        var now = TimeProvider.System.GetUtcNow();
        var indices = string.Join(",", assets.Select(a => $$"""{"asset":"{{a}}","price":{{(a == "BTC" ? 60100 : 3010)}},"timestamp":"{{now:O}}"}"""));
        using var content = new StringContent($$"""{"indices":[{{indices}}],"marks":[]}""", Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(new Uri("/api/v1/prices", UriKind.Relative), content);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(assets.Length, body.GetProperty("accepted").GetInt32());
    }

    private async Task<JsonElement> Ready()
    {
        using var response = await Http.GetAsync(new Uri("/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> ReadyWhen(string status, TimeSpan within, Func<Task>? meanwhile = null)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(within.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            var ready = await Ready();
            if (ready.GetProperty("status").GetString() == status || TimeProvider.System.GetTimestamp() > deadline)
            {
                Assert.Equal(status, ready.GetProperty("status").GetString());
                return ready;
            }

            await Task.Delay(200);
            if (meanwhile is not null)
            {
                await meanwhile();
            }
        }
    }

    private static double Sample(string text, string series)
    {
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"No sample {series} in:\n{text}");
        return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
