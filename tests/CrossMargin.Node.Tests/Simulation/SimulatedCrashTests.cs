using System.Net.Http.Json;
using System.Text.Json;
using CrossMargin.Node.Tests.Api;

namespace CrossMargin.Node.Tests.Simulation;

/// <summary>
/// The README's main command in small: the simulator's venue opens its traders, then crashes the market with no other
/// trading and no noise, so that once every liquidation has finished the book can be checked against what it opened.
/// The matching stand-in fills liquidation orders at the mark: every deficit is then the crash's own gap, which the fund
/// and auto-deleveraging must absorb whole (slippage on a liquidation's last fill can still realise a few cents after
/// the last position is gone, which nothing can pass on: the README says so).
/// </summary>
public sealed class SimulatedCrashTests : IAsyncLifetime
{
    private const int Traders = 40;
    private NodeUnderTest _node = null!;

    public async Task InitializeAsync() => _node = await NodeUnderTest.StartAsync(null,
        "--Simulator:Enabled=true", $"--Simulator:Traders={Traders}", "--Simulator:TickInterval=00:00:00.100", "--Simulator:TradesPerTick=0",
        "--Simulator:AnnualVolatility=0", "--Simulator:JumpsPerHour=0", "--Simulator:CrashAfter=00:00:06", "--Simulator:CrashDuration=00:00:02",
        "--Simulator:InsuranceFundSeed=100", "--Simulator:LiquidationSlippage=0");

    public async Task DisposeAsync() => await _node.DisposeAndDeleteDataAsync();

    /// <summary>
    /// Liquidation orders are reduce-only and auto-deleveraging only closes, so after the crash every trader holds at most
    /// what it opened, on the same side; every deficit was paid by the fund or passed on while a position was left to
    /// pass it on with, so no account is left below zero; and open interest still nets to zero per instrument.
    /// </summary>
    [Fact]
    public async Task After_the_crash_no_trader_holds_more_than_it_opened_nor_the_other_side_and_no_deficit_is_left_behind()
    {
        var ids = Enumerable.Range(1, Traders).Select(i => $"trader-{i:0000}").ToArray();

        // The fund is seeded once every opening message has been answered.
        await EventuallyAsync(async () => (await GetAsync("/api/v1/insurance-fund")).GetProperty("history").GetArrayLength() > 0, TimeSpan.FromSeconds(60),
            "the venue opened");
        var opened = new Dictionary<string, Dictionary<string, decimal>>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            opened[id] = Positions(await GetAsync($"/api/v1/accounts/{id}"));
        }

        var previous = -1;
        await EventuallyAsync(async () =>
        {
            var list = (await GetAsync("/api/v1/liquidations")).GetProperty("liquidations").EnumerateArray().ToArray();
            var settled = list.Length > 0 && list.Length == previous && list.All(l => l.GetProperty("status").GetString() == "completed");
            previous = list.Length;
            return settled;
        }, TimeSpan.FromSeconds(120), "every liquidation of the crash completed");

        var fund = await GetAsync("/api/v1/insurance-fund");
        Assert.Contains(fund.GetProperty("history").EnumerateArray(), m => m.GetProperty("kind").GetString() == "autoDeleverageTriggered");
        var openInterest = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var id in ids.Concat(Enumerable.Range(1, 4).Select(i => $"mm-{i}")))
        {
            var view = await GetAsync($"/api/v1/accounts/{id}");
            var now = Positions(view);
            foreach (var (symbol, quantity) in now)
            {
                openInterest[symbol] = openInterest.GetValueOrDefault(symbol) + quantity;
                if (opened.TryGetValue(id, out var atOpen))
                {
                    var before = atOpen.GetValueOrDefault(symbol);
                    Assert.True(Math.Sign(quantity) == Math.Sign(before) && Math.Abs(quantity) <= Math.Abs(before),
                        $"{id} opened {before} {symbol} and holds {quantity}");
                }
            }

            var equity = view.GetProperty("margin").GetProperty("equityUsd").GetDecimal();
            Assert.True(equity >= 0m, $"{id} is left at {equity} USD");
        }

        Assert.All(openInterest, oi => Assert.Equal(0m, oi.Value));
    }

    private static Dictionary<string, decimal> Positions(JsonElement view) => view.GetProperty("positions").EnumerateArray()
        .ToDictionary(p => p.GetProperty("symbol").GetString()!, p => p.GetProperty("quantity").GetDecimal(), StringComparer.Ordinal);

    private async Task<JsonElement> GetAsync(string path) => await _node.Client.GetFromJsonAsync<JsonElement>(path);

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
