using System.Net.Http.Json;
using System.Text.Json;
using CrossMargin.Node.Tests.Api;

namespace CrossMargin.Node.Tests.Simulation;

/// <summary>
/// An embedded node driven by the market simulator, read through its HTTP API as an operator would: its traders, their
/// positions and equity, and whether every liquidation the crash started has completed.
/// </summary>
internal sealed class SimulatedVenue(NodeUnderTest node)
{
    /// <summary>The simulator's trader ids for <paramref name="traders"/> traders.</summary>
    public static string[] TraderIds(int traders) => Enumerable.Range(1, traders).Select(i => $"trader-{i:0000}").ToArray();

    /// <summary>Waits until the simulator has opened the venue (it seeds the fund once every opening message is answered).</summary>
    public Task OpenedAsync() => EventuallyAsync(async () => (await GetAsync("/api/v1/insurance-fund")).GetProperty("history").GetArrayLength() > 0,
        TimeSpan.FromSeconds(60), "the venue opened");

    /// <summary>Waits until there are liquidations, all completed, and no new one between two looks a second apart.</summary>
    public Task LiquidationsSettledAsync()
    {
        var previous = -1;
        return EventuallyAsync(async () =>
        {
            var list = (await GetAsync("/api/v1/liquidations")).GetProperty("liquidations").EnumerateArray().ToArray();
            var settled = list.Length > 0 && list.Length == previous && list.All(l => l.GetProperty("status").GetString() == "completed");
            previous = list.Length;
            return settled;
        }, TimeSpan.FromSeconds(120), "every liquidation of the crash completed");
    }

    /// <summary>An account's view (<c>GET /api/v1/accounts/{id}</c>).</summary>
    public Task<JsonElement> AccountAsync(string id) => GetAsync($"/api/v1/accounts/{id}");

    /// <summary>Quantity held per symbol in an account's view.</summary>
    public static Dictionary<string, decimal> Positions(JsonElement view) => view.GetProperty("positions").EnumerateArray()
        .ToDictionary(p => p.GetProperty("symbol").GetString()!, p => p.GetProperty("quantity").GetDecimal(), StringComparer.Ordinal);

    /// <summary>An account view's equity, USD.</summary>
    public static decimal Equity(JsonElement view) => view.GetProperty("margin").GetProperty("equityUsd").GetDecimal();

    /// <summary>A GET of the node's API, as JSON.</summary>
    public async Task<JsonElement> GetAsync(string path) => await node.Client.GetFromJsonAsync<JsonElement>(path);

    private static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not within {within.TotalSeconds:0} s: {what}.");
            await Task.Delay(1_000);
        }
    }
}
