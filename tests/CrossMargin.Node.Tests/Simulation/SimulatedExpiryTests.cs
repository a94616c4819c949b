using CrossMargin.Node.Tests.Api;

namespace CrossMargin.Node.Tests.Simulation;

/// <summary>
/// The simulated venue against the calendar: the default market's options expire on 2026-12-25 at 08:00 UTC and its
/// dated future on 2027-03-26. The README's main command must still open a venue after that (it named the December
/// options and stopped the node at start: "No mark for instrument BTC-25DEC26-55000-P"), and contracts that expire
/// while it runs must be settled for whoever holds them, as a venue does.
/// </summary>
public sealed class SimulatedExpiryTests
{
    private const int Traders = 30;
    private static readonly DateTimeOffset OptionsExpiry = new(2026, 12, 25, 8, 0, 0, TimeSpan.Zero);

    private static readonly string[] Settings =
    [
        "--Simulator:Enabled=true", $"--Simulator:Traders={Traders}", "--Simulator:TickInterval=00:00:00.100", "--Simulator:TradesPerTick=0",
        "--Simulator:AnnualVolatility=0", "--Simulator:JumpsPerHour=0", "--Simulator:CrashAfter=01:00:00",
    ];

    [Fact]
    public async Task A_venue_opened_after_its_options_expired_opens_books_only_in_what_is_still_listed()
    {
        var node = await NodeUnderTest.StartWithClockAsync(new ShiftedClock(new DateTimeOffset(2027, 1, 5, 12, 0, 0, TimeSpan.Zero)), Settings);
        try
        {
            var venue = new SimulatedVenue(node);
            await venue.OpenedAsync();

            var held = await HoldingsAsync(venue, SimulatedVenue.TraderIds(Traders));

            Assert.NotEmpty(held);
            Assert.DoesNotContain(held, h => h.Symbol.Contains("25DEC26", StringComparison.Ordinal));
            Assert.Contains(held, h => h.Symbol == "BTC-26MAR27");
        }
        finally
        {
            await node.DisposeAndDeleteDataAsync();
        }
    }

    [Fact]
    public async Task Contracts_that_expire_while_the_venue_runs_are_settled_for_every_holder()
    {
        // A day and ten seconds before the options expire: the venue still opens books in them (a day is the least
        // time to expiry it opens a book in), then the clock moves on past their expiry.
        var clock = new ShiftedClock(OptionsExpiry - TimeSpan.FromDays(1) - TimeSpan.FromSeconds(10));
        var node = await NodeUnderTest.StartWithClockAsync(clock, Settings);
        try
        {
            var venue = new SimulatedVenue(node);
            await venue.OpenedAsync();
            var accounts = SimulatedVenue.TraderIds(Traders).Concat(Enumerable.Range(1, 4).Select(i => $"mm-{i}")).ToArray();
            var before = await HoldingsAsync(venue, accounts);
            Assert.Contains(before, h => h.Symbol == "BTC-25DEC26-55000-P" && h.Quantity < 0);
            Assert.Contains(before, h => h.Symbol == "BTC-25DEC26-65000-C" && h.Quantity > 0);

            clock.JumpTo(OptionsExpiry + TimeSpan.FromSeconds(1));

            var expiredLeft = await DecemberHoldingsLeftAsync(venue, accounts, TimeSpan.FromSeconds(60));
            Assert.True(expiredLeft.Count == 0, "still held after expiry: " + string.Join(", ", expiredLeft.Select(h => $"{h.Account} {h.Quantity} {h.Symbol}")));
            Assert.Equal(before.Where(h => !h.Symbol.Contains("25DEC26", StringComparison.Ordinal)), await HoldingsAsync(venue, accounts));
        }
        finally
        {
            await node.DisposeAndDeleteDataAsync();
        }
    }

    [Fact]
    public async Task A_venue_restarted_after_its_options_expired_settles_what_its_accounts_still_hold_in_them()
    {
        // The venue opens books in the December options, stops before they expire and starts again an hour after: the
        // holders it filled are known only to the run that filled them, the engine's journal knows them all.
        var node = await NodeUnderTest.StartWithClockAsync(new ShiftedClock(OptionsExpiry - TimeSpan.FromDays(1) - TimeSpan.FromSeconds(10)), Settings);
        var accounts = SimulatedVenue.TraderIds(Traders).Concat(Enumerable.Range(1, 4).Select(i => $"mm-{i}")).ToArray();
        try
        {
            var venue = new SimulatedVenue(node);
            await venue.OpenedAsync();
            Assert.Contains(await HoldingsAsync(venue, accounts), h => h.Symbol == "BTC-25DEC26-55000-P");
        }
        finally
        {
            await node.DisposeAsync();
        }

        var restarted = await NodeUnderTest.StartWithClockAsync(node.DataDirectory, new ShiftedClock(OptionsExpiry + TimeSpan.FromHours(1)), Settings);
        try
        {
            var venue = new SimulatedVenue(restarted);
            var expiredLeft = await DecemberHoldingsLeftAsync(venue, accounts, TimeSpan.FromSeconds(30));
            // (The restarted venue opens its books again, in what it lists now: the other holdings are not compared.)
            Assert.True(expiredLeft.Count == 0, "still held after the restart: " + string.Join(", ", expiredLeft.Select(h => $"{h.Account} {h.Quantity} {h.Symbol}")));
        }
        finally
        {
            await restarted.DisposeAndDeleteDataAsync();
        }
    }

    /// <summary>The holdings in the December options left once none is, or when <paramref name="within"/> has passed.</summary>
    private static async Task<IReadOnlyList<(string Account, string Symbol, decimal Quantity)>> DecemberHoldingsLeftAsync(SimulatedVenue venue, string[] accounts,
        TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        IReadOnlyList<(string Account, string Symbol, decimal Quantity)> left;
        do
        {
            await Task.Delay(500);
            left = [.. (await HoldingsAsync(venue, accounts)).Where(h => h.Symbol.Contains("25DEC26", StringComparison.Ordinal))];
        }
        while (left.Count > 0 && DateTime.UtcNow < deadline);

        return left;
    }

    private static async Task<List<(string Account, string Symbol, decimal Quantity)>> HoldingsAsync(SimulatedVenue venue, IEnumerable<string> accounts)
    {
        var held = new List<(string, string, decimal)>();
        foreach (var account in accounts)
        {
            held.AddRange(SimulatedVenue.Positions(await venue.AccountAsync(account)).OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => (account, p.Key, p.Value)));
        }

        return held;
    }
}
