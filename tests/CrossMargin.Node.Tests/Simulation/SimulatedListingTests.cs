using System.Text.RegularExpressions;
using CrossMargin.Node.Tests.Api;

namespace CrossMargin.Node.Tests.Simulation;

/// <summary>
/// The README's main command on dates after the default venue's hand-listed contracts expired (options 2026-12-25,
/// future 2027-03-26): its listing schedules (config/venue/market.json) list monthly options and quarterly futures, so
/// the simulator's books still hold a dated future and options, and its crash still ends in liquidations.
/// </summary>
public sealed partial class SimulatedListingTests
{
    private const int Traders = 40;

    [Theory]
    [InlineData("2027-01-05T12:00:00Z")]
    [InlineData("2027-06-30T12:00:00Z")]
    [InlineData("2030-02-01T12:00:00Z")]
    public async Task On_any_date_the_venue_opens_books_in_a_listed_future_and_options_and_its_crash_liquidates(string date)
    {
        var node = await NodeUnderTest.StartWithClockAsync(new ShiftedClock(DateTimeOffset.Parse(date, System.Globalization.CultureInfo.InvariantCulture)),
            "--Simulator:Enabled=true", $"--Simulator:Traders={Traders}", "--Simulator:TickInterval=00:00:00.100", "--Simulator:TradesPerTick=0",
            "--Simulator:AnnualVolatility=0", "--Simulator:JumpsPerHour=0", "--Simulator:CrashAfter=00:00:06", "--Simulator:CrashDuration=00:00:02",
            "--Simulator:InsuranceFundSeed=100", "--Simulator:LiquidationSlippage=0");
        try
        {
            var venue = new SimulatedVenue(node);
            await venue.OpenedAsync();
            var held = new List<string>();
            foreach (var id in SimulatedVenue.TraderIds(Traders))
            {
                held.AddRange(SimulatedVenue.Positions(await venue.AccountAsync(id)).Keys);
            }

            Assert.Contains(held, s => DatedFuture().IsMatch(s));
            Assert.Contains(held, s => s.EndsWith("-P", StringComparison.Ordinal));
            Assert.Contains(held, s => s.EndsWith("-C", StringComparison.Ordinal));

            await venue.LiquidationsSettledAsync();
        }
        finally
        {
            await node.DisposeAndDeleteDataAsync();
        }
    }

    [GeneratedRegex("^BTC-[0-9]{2}[A-Z]{3}[0-9]{2}$")]
    private static partial Regex DatedFuture();
}
