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
    // The simulator's default crash: BTC falls 30 %. With no noise and no jumps (as these tests run it) the index stands
    // still before the crash and after it, so the crash is over once BTC is 30 % below where it opened.
    private const string CrashedUnderlying = "BTC";
    private const decimal CrashMove = -0.30m;
    private decimal? _openingIndex;

    /// <summary>The simulator's trader ids for <paramref name="traders"/> traders.</summary>
    public static string[] TraderIds(int traders) => Enumerable.Range(1, traders).Select(i => $"trader-{i:0000}").ToArray();

    /// <summary>Waits until the simulator has opened the venue (it seeds the fund once every opening message is answered).</summary>
    public async Task OpenedAsync()
    {
        await EventuallyAsync(async () => (await GetAsync("/api/v1/insurance-fund")).GetProperty("history").GetArrayLength() > 0,
            TimeSpan.FromSeconds(60), "the venue opened");
        _openingIndex = await IndexAsync(CrashedUnderlying);
    }

    /// <summary>
    /// Waits until the crash has played out (see <see cref="OpenedAsync"/>), then until there are liquidations, all
    /// completed, and no new one between two looks a second apart. Under load the simulator's ticks come late and the
    /// crash takes longer than its configured duration: a quiet second in the middle of it is not the end.
    /// </summary>
    public async Task LiquidationsSettledAsync()
    {
        var opening = _openingIndex ?? throw new InvalidOperationException("Wait for the venue to open first: the crash is measured from its opening index.");
        var crashed = opening * (1 + CrashMove);
        await EventuallyAsync(async () => await IndexAsync(CrashedUnderlying) <= crashed * 1.0001m, TimeSpan.FromSeconds(120),
            $"the crash played out ({CrashedUnderlying} from {opening} to {crashed})");
        var previous = -1;
        await EventuallyAsync(async () =>
        {
            var list = (await GetAsync("/api/v1/liquidations")).GetProperty("liquidations").EnumerateArray().ToArray();
            var settled = list.Length > 0 && list.Length == previous && list.All(l => l.GetProperty("status").GetString() == "completed");
            previous = list.Length;
            return settled;
        }, TimeSpan.FromSeconds(120), "every liquidation of the crash completed");
    }

    /// <summary>An underlying's index price on the market board (<c>GET /api/v1/market</c>).</summary>
    public async Task<decimal> IndexAsync(string underlying) => (await GetAsync("/api/v1/market")).GetProperty("tiles").EnumerateArray()
        .Single(t => t.GetProperty("name").GetString() == underlying).GetProperty("index").GetDecimal();

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
