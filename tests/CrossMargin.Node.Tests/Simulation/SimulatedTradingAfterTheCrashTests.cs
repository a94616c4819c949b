using CrossMargin.Node.Tests.Api;

namespace CrossMargin.Node.Tests.Simulation;

/// <summary>
/// The simulator's live trading: its venue asks the pre-trade check before it matches a trader's order, as a venue
/// integrated with CrossMargin must, so a trader the crash wiped out is refused rather than traded on nothing. Here the
/// crash comes with trading on (ten random orders every 100 ms over 40 traders) and no noise, so that after it the
/// marks stand still while orders keep coming.
/// </summary>
public sealed class SimulatedTradingAfterTheCrashTests : IAsyncLifetime
{
    private const int Traders = 40;
    private NodeUnderTest _node = null!;

    public async Task InitializeAsync() => _node = await NodeUnderTest.StartAsync(null,
        "--Simulator:Enabled=true", $"--Simulator:Traders={Traders}", "--Simulator:TickInterval=00:00:00.100", "--Simulator:TradesPerTick=10",
        "--Simulator:AnnualVolatility=0", "--Simulator:JumpsPerHour=0", "--Simulator:CrashAfter=00:00:06", "--Simulator:CrashDuration=00:00:02",
        "--Simulator:InsuranceFundSeed=100", "--Simulator:LiquidationSlippage=0");

    public async Task DisposeAsync() => await _node.DisposeAndDeleteDataAsync();

    /// <summary>
    /// Once the crash's liquidations are over, the traders left with nothing (no position, no equity) are taken down; four
    /// seconds later (about ten orders drawn for each of them) they still hold nothing: every order of theirs was refused.
    /// </summary>
    [Fact]
    public async Task A_trader_the_crash_left_with_nothing_opens_no_new_position_while_the_market_trades_on()
    {
        var venue = new SimulatedVenue(_node);
        await venue.OpenedAsync();
        await venue.LiquidationsSettledAsync();
        var wipedOut = new List<string>();
        foreach (var id in SimulatedVenue.TraderIds(Traders))
        {
            var view = await venue.AccountAsync(id);
            if (SimulatedVenue.Positions(view).Count == 0 && SimulatedVenue.Equity(view) <= 0m)
            {
                wipedOut.Add(id);
            }
        }

        Assert.NotEmpty(wipedOut);
        await Task.Delay(TimeSpan.FromSeconds(4));

        foreach (var id in wipedOut)
        {
            var view = await venue.AccountAsync(id);
            Assert.True(SimulatedVenue.Positions(view).Count == 0, $"{id}, left with nothing by the crash, now holds {view.GetProperty("positions")}");
        }
    }
}
