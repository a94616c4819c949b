using CrossMargin.Risk.Serialization;
using CrossMargin.Risk.Tests.Historical;

namespace CrossMargin.Risk.Tests.Serialization;

public class RiskParametersFileTests
{
    private static readonly string Path_ = Path.Combine(HistoricalSimulationModelTests.Root(), "config", "risk", "all-models.json");

    [Fact]
    public void The_all_models_file_offers_every_model_and_keeps_its_own_as_the_default()
    {
        var parameters = RiskParametersFile.Load(Path_);

        Assert.Equal(RiskParameters.ModelNames, parameters.AvailableModels);
        Assert.Equal("composite(portfolio+simm+es)", parameters.CreateCalculator().CrossModel.Name);
        Assert.Equal(3, parameters.StressScenarios!.Count);
    }

    [Theory]
    [InlineData("\"BTC\": \"majors\"", "\"BTC\": \"minors\"", "simm: SIMM: unknown bucket minors")]
    [InlineData("\"composite\": [", "\"composite\": [\"span\",", "composite: span needs a \"span\" section")]
    [InlineData("\"ewmaLambda\": 0.94", "\"ewmaLambda\": 1.5", "historical: The EWMA lambda must be in (0, 1)")]
    [InlineData("\"from\": \"2025-12-26\"", "\"from\": \"26/12/2025\"", "historical.stressedPeriod.from: \"26/12/2025\" is not a date")]
    [InlineData("\"horizonDays\": 2", "\"horizonDays\": 2.5", "historical.horizonDays: must be a positive whole number")]
    [InlineData("\"leader\": \"BTC\"", "\"leader\": \"SOL\"", "stress.scenarios[0]: crypto-crash: ETH follows SOL")]
    [InlineData("\"name\": \"alts\",", "\"name\": \"alts\", \"residual\": \"yes\",", "simm.buckets[1].residual: must be true or false")]
    [InlineData("\"lookbackDays\": 500", "\"lookbackDays\": 5000", "historical: The lookback of 5000 days needs that many returns; the history has 729")]
    [InlineData("\"maintenanceFactor\": 0.8,\n    \"buckets\"", "\"maintenanceFactor\": 0.8,\n    \"historicalVolatilityRatio\": 0,\n    \"buckets\"", "simm: The historical volatility ratio must be in (0, 10]")]
    public void A_bad_section_is_named_with_its_field(string find, string replace, string expected)
    {
        var json = File.ReadAllText(Path_);
        Assert.Contains(find, json, StringComparison.Ordinal);

        var e = Assert.Throws<RiskInputException>(() => RiskParametersFile.Parse(json.Replace(find, replace, StringComparison.Ordinal), "p.json", Path.GetDirectoryName(Path_)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("p.json: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_simm_historical_volatility_ratio_is_read_and_defaults_to_one()
    {
        var json = File.ReadAllText(Path_);
        const string Find = "\"maintenanceFactor\": 0.8,\n    \"buckets\"";
        Assert.Contains(Find, json, StringComparison.Ordinal);

        var plain = RiskParametersFile.Parse(json, "p.json", Path.GetDirectoryName(Path_));
        var scaled = RiskParametersFile.Parse(json.Replace(Find, "\"maintenanceFactor\": 0.8,\n    \"historicalVolatilityRatio\": 0.65,\n    \"buckets\"", StringComparison.Ordinal),
            "p.json", Path.GetDirectoryName(Path_));

        Assert.Equal(1, plain.Simm!.HistoricalVolatilityRatio);
        Assert.Equal(0.65, scaled.Simm!.HistoricalVolatilityRatio);
    }
}
