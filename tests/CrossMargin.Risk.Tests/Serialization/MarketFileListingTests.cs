using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Serialization;
using CrossMargin.Risk.Tests.Historical;

namespace CrossMargin.Risk.Tests.Serialization;

/// <summary>The <c>listing</c> of a market file: the default venue's, and a bad one refused at start with where and why.</summary>
public class MarketFileListingTests
{
    private static readonly string Venue = Path.Combine(HistoricalSimulationModelTests.Root(), "config", "venue", "market.json");

    [Fact]
    public void The_default_venue_lists_monthly_btc_options_around_its_index_and_quarterly_btc_futures()
    {
        var listing = MarketFile.LoadListing(Venue);

        Assert.Equal(2, listing.Count);
        var options = listing.Single(s => s.Strikes is not null);
        Assert.Equal((ListingCycle.Monthly, 2, 60000m, 5000m, 3), (options.Cycle, options.Count, options.Strikes!.Reference, options.Strikes.Step, options.Strikes.EachSide));
        var futures = listing.Single(s => s.Strikes is null);
        Assert.Equal((ListingCycle.Quarterly, 2, "USDT"), (futures.Cycle, futures.Count, futures.QuoteAsset));
    }

    [Theory]
    [InlineData("\"monthly\",\n      \"count\": 2,", "\"monthly\",\n      \"count\": 2.5,", "listing[0].count: must be a whole number")]
    [InlineData("\"cycle\": \"monthly\"", "\"cycle\": \"weekly\"", "listing[0].cycle")]
    [InlineData("\"step\": 5000", "\"step\": 0", "listing[0]: strikes: reference 60000 and step 0 must be positive")]
    [InlineData("\"openingVol\": 0.55", "\"openingVol\": 0", "openingVol: 0 must be above 0")]
    [InlineData("\"type\": \"option\",\n      \"underlying\": \"BTC\"", "\"type\": \"option\",\n      \"underlying\": \"SOL\"", "listing[0].underlying: SOL has no entry in underlyings")]
    [InlineData("\"quarterly\",\n      \"count\": 2", "\"quarterly\",\n      \"count\": 2,\n      \"strikes\": { \"step\": 1, \"eachSide\": 1, \"openingVol\": 0.5 }", "listing[1].strikes: only an option schedule has strikes")]
    [InlineData("\"contractSize\": 0.001,\n      \"tickSize\": 0.1,\n      \"cycle\"", "\"contractSize\": 0.01,\n      \"tickSize\": 0.1,\n      \"cycle\"", "BTC-26MAR27 is listed by hand on other terms")]
    public void A_bad_schedule_is_refused_at_start_naming_where_and_why(string find, string replace, string message)
    {
        // Only the listing is edited: the instruments say some of the same things.
        var json = File.ReadAllText(Venue);
        var listing = json.IndexOf("\"listing\"", StringComparison.Ordinal);
        Assert.Contains(find, json[listing..], StringComparison.Ordinal);
        var edited = json[..listing] + json[listing..].Replace(find, replace, StringComparison.Ordinal);

        var e = Assert.Throws<RiskInputException>(() => MarketFile.ParseListing(edited, "market.json"));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("market.json: ", e.Message, StringComparison.Ordinal);
    }
}
