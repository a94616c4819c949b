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
        var venue = new SimulatedVenue(_node);
        var ids = SimulatedVenue.TraderIds(Traders);
        await venue.OpenedAsync();
        var opened = new Dictionary<string, Dictionary<string, decimal>>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            opened[id] = SimulatedVenue.Positions(await venue.AccountAsync(id));
        }

        await venue.LiquidationsSettledAsync();

        var fund = await venue.GetAsync("/api/v1/insurance-fund");
        Assert.Contains(fund.GetProperty("history").EnumerateArray(), m => m.GetProperty("kind").GetString() == "autoDeleverageTriggered");
        var openInterest = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var id in ids.Concat(Enumerable.Range(1, 4).Select(i => $"mm-{i}")))
        {
            var view = await venue.AccountAsync(id);
            var now = SimulatedVenue.Positions(view);
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

            var equity = SimulatedVenue.Equity(view);
            Assert.True(equity >= 0m, $"{id} is left at {equity} USD");
        }

        Assert.All(openInterest, oi => Assert.Equal(0m, oi.Value));
    }
}
