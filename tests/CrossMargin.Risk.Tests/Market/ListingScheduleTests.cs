using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;

namespace CrossMargin.Risk.Tests.Market;

/// <summary>
/// The venue's listing schedules as the default venue configures them (config/venue/market.json): monthly BTC options on
/// the last Friday at 08:00 UTC, the next two expiries listed, and quarterly BTC futures, the next two listed, both for
/// expiries after 2026-12-25 (those up to it are listed by hand). Dates checked against a calendar.
/// </summary>
public class ListingScheduleTests
{
    private static readonly DateTimeOffset After = At(2026, 12, 25);

    private static readonly ListingSchedule Options = new("BTC", "USDC", SettlementKind.Linear, 0.01m, 0.1m, ListingCycle.Monthly, 2, After,
        new OptionStrikes(60000m, 5000m, 1, 0.55));

    private static readonly ListingSchedule Futures = new("BTC", "USDT", SettlementKind.Linear, 0.001m, 0.1m, ListingCycle.Quarterly, 2, After, null);

    [Theory]
    [InlineData(2026, 11, 30, "BTC-29JAN27")] // listed from 2026-11-27, when November's expiry made January the second
    [InlineData(2027, 1, 5, "BTC-29JAN27,BTC-26FEB27")]
    [InlineData(2027, 6, 30, "BTC-30JUL27,BTC-27AUG27")]
    [InlineData(2030, 2, 1, "BTC-22FEB30,BTC-29MAR30")]
    public void Options_are_listed_for_the_next_two_monthly_expiries_on_the_last_friday_whatever_the_date(int year, int month, int day, string expected)
    {
        var live = Live(Options, At(year, month, day, 0));

        Assert.Equal(expected.Split(','), live.Select(c => c.Instrument.Symbol[..11]).Distinct());
        // Three strikes (55000, 60000, 65000), a call and a put at each, per expiry.
        Assert.Equal(6 * expected.Split(',').Length, live.Count);
        Assert.Contains(live, c => c.Instrument is OptionContract { Strike: 55000m, Kind: OptionKind.Put } o && o.Symbol == expected.Split(',')[0] + "-55000-P");
        Assert.All(live, c => Assert.Equal(TimeSpan.FromHours(8), c.Instrument.Expiry!.Value.TimeOfDay));
    }

    [Theory]
    [InlineData(2027, 1, 5, "BTC-26MAR27,BTC-25JUN27")]
    [InlineData(2027, 6, 30, "BTC-24SEP27,BTC-31DEC27")]
    [InlineData(2030, 2, 1, "BTC-29MAR30,BTC-28JUN30")]
    public void Futures_are_listed_for_the_next_two_quarterly_expiries_whatever_the_date(int year, int month, int day, string expected) =>
        Assert.Equal(expected.Split(','), Live(Futures, At(year, month, day, 0)).Select(c => c.Instrument.Symbol));

    [Fact]
    public void A_contract_is_listed_when_the_expiry_its_count_before_it_expires_and_not_a_moment_before()
    {
        var june = Futures.ContractsUntil(At(2027, 1, 5)).Single(c => c.Instrument.Symbol == "BTC-25JUN27");

        Assert.Equal(At(2026, 12, 25), june.ListedAt);
        Assert.DoesNotContain(Futures.ContractsUntil(At(2026, 12, 25) - TimeSpan.FromTicks(1)), c => c.Instrument.Symbol == "BTC-25JUN27");
    }

    [Fact]
    public void A_contract_listed_by_hand_on_the_same_terms_is_listed_once_and_on_other_terms_is_refused()
    {
        var march = new Future("BTC-26MAR27", "BTC", "USDT", "USDT", SettlementKind.Linear, 0.001m, 0.1m, At(2027, 3, 26));
        var contracts = ListingSchedule.ContractsUntil([Futures], [march], At(2027, 1, 5));

        Assert.Equal(["BTC-25JUN27"], contracts.Select(c => c.Instrument.Symbol));
        var other = new Future("BTC-26MAR27", "BTC", "USDT", "USDT", SettlementKind.Linear, 0.01m, 0.1m, At(2027, 3, 26));
        var e = Assert.Throws<ArgumentException>(() => ListingSchedule.ContractsUntil([Futures], [other], At(2027, 1, 5)));
        Assert.Contains("BTC-26MAR27 is listed by hand on other terms", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_listed_future_opens_at_the_forward_and_an_option_at_its_black76_price_at_the_opening_vol()
    {
        // Index 60000 and a forward of 60300 quoted for the future's expiry: the future opens at 60300.0.
        var june = At(2027, 6, 25);
        var market = new UnderlyingMarket("BTC", 0, [new ForwardPoint(june, 60300m)]);
        var future = Futures.ContractsUntil(At(2027, 1, 5)).Single(c => c.Instrument.Symbol == "BTC-25JUN27");
        Assert.Equal(new InstrumentMark("BTC-25JUN27", 60300.0m), future.OpeningMark(market, 60000m, At(2027, 1, 5)));

        // An option a moment before its expiry is worth its intrinsic value: the 55000 put, forward 50000, 5000.0.
        var put = Live(Options, At(2027, 1, 5)).Single(c => c.Instrument.Symbol == "BTC-29JAN27-55000-P");
        var mark = put.OpeningMark(new UnderlyingMarket("BTC", 0), 50000m, At(2027, 1, 29) - TimeSpan.FromSeconds(1));
        Assert.Equal((5000.0m, 0.55), (mark.MarkPrice, mark.ImpliedVolatility));
    }

    [Theory]
    [InlineData(0, null, "count: 0 expiries")]
    [InlineData(2, -1, "strikes.eachSide: -1")]
    [InlineData(2, 12, "12 steps of 5000 below 60000 reach a strike at or below zero")]
    public void A_schedule_that_cannot_list_is_refused_with_what_is_wrong(int count, int? eachSide, string message)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new ListingSchedule("BTC", "USDC", SettlementKind.Linear, 0.01m, 0.1m, ListingCycle.Monthly, count, After,
            new OptionStrikes(60000m, 5000m, eachSide ?? 1, 0.55)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    private static List<ListedContract> Live(ListingSchedule schedule, DateTimeOffset now) =>
        [.. schedule.ContractsUntil(now).Where(c => !c.Instrument.IsExpiredAt(now))];

    private static DateTimeOffset At(int year, int month, int day, int hour = 8) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);
}
