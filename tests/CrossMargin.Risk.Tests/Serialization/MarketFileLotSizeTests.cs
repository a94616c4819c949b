using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Serialization;
using CrossMargin.Risk.Tests.Historical;

namespace CrossMargin.Risk.Tests.Serialization;

/// <summary>
/// An instrument's <c>lotSize</c> (and a listing schedule's): optional, 1e-8 contract when absent, so that a market file
/// written before lots existed reads as it did; positive when given.
/// </summary>
public class MarketFileLotSizeTests
{
    private static readonly string Venue = Path.Combine(HistoricalSimulationModelTests.Root(), "config", "venue", "market.json");

    private static string Edited(string find, string replace, int from = 0)
    {
        var json = File.ReadAllText(Venue);
        var at = json.IndexOf(find, from, StringComparison.Ordinal);
        Assert.True(at >= 0, find);
        return json[..at] + replace + json[(at + find.Length)..];
    }

    [Fact]
    public void A_market_without_lot_sizes_gives_every_instrument_and_scheduled_contract_the_default_lot_of_1e_8()
    {
        var json = File.ReadAllText(Venue);

        var market = MarketFile.Parse(json, "market.json");
        var listing = MarketFile.ParseListing(json, "market.json");

        Assert.All(market.Instruments, i => Assert.Equal(0.00000001m, i.LotSize));
        Assert.All(listing, s => Assert.Equal(0.00000001m, s.LotSize));
        Assert.All(ListingSchedule.ContractsUntil(listing, market.Instruments, market.ValuationTime.AddYears(1)), c => Assert.Equal(0.00000001m, c.Instrument.LotSize));
    }

    [Fact]
    public void An_instruments_lot_size_is_read_and_the_others_keep_the_default()
    {
        var json = Edited("\"symbol\": \"BTC-PERP\",", "\"symbol\": \"BTC-PERP\",\n      \"lotSize\": 0.001,");

        var market = MarketFile.Parse(json, "market.json");

        Assert.Equal(0.001m, market.GetInstrument("BTC-PERP").LotSize);
        Assert.Equal(0.00000001m, market.GetInstrument("ETH-PERP").LotSize);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0.001")]
    public void A_lot_size_not_positive_is_refused_naming_the_instrument(string lot)
    {
        var json = Edited("\"symbol\": \"BTC-PERP\",", $"\"symbol\": \"BTC-PERP\",\n      \"lotSize\": {lot},");

        var e = Assert.Throws<RiskInputException>(() => MarketFile.Parse(json, "market.json"));

        Assert.Contains("instruments[0]", e.Message, StringComparison.Ordinal);
        Assert.Contains("LotSize", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_schedules_lot_size_is_carried_by_every_contract_it_lists()
    {
        // The option schedule comes first in the listing; the March future listed by hand is also the quarterly schedule's.
        var listingAt = File.ReadAllText(Venue).IndexOf("\"listing\"", StringComparison.Ordinal);
        var json = Edited("\"type\": \"option\",", "\"type\": \"option\",\n      \"lotSize\": 0.1,", listingAt);
        var market = MarketFile.Parse(json, "market.json");

        var listing = MarketFile.ParseListing(json, "market.json");

        var options = listing.Single(s => s.Strikes is not null);
        Assert.Equal(0.1m, options.LotSize);
        var listed = ListingSchedule.ContractsUntil([options], market.Instruments, market.ValuationTime.AddYears(1));
        Assert.NotEmpty(listed);
        Assert.All(listed, c => Assert.Equal(0.1m, c.Instrument.LotSize));
    }

    [Fact]
    public void A_contract_listed_by_hand_with_another_lot_than_its_schedules_is_refused_as_other_terms()
    {
        var json = Edited("\"symbol\": \"BTC-26MAR27\",", "\"symbol\": \"BTC-26MAR27\",\n      \"lotSize\": 0.001,");

        var e = Assert.Throws<RiskInputException>(() => MarketFile.ParseListing(json, "market.json"));

        Assert.Contains("BTC-26MAR27 is listed by hand on other terms", e.Message, StringComparison.Ordinal);
    }
}
