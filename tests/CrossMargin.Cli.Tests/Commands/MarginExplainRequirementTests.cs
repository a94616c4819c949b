using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrossMargin.Cli.Commands;
using CrossMargin.Risk.Serialization;

namespace CrossMargin.Cli.Tests.Commands;

public sealed class MarginExplainRequirementTests
{
    // What the node's HTTP API writes (ApiExtensions): web defaults, enums as camel-case strings, nulls left out.
    private static readonly JsonSerializerOptions NodeJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    [Theory]
    [InlineData("standard")]
    [InlineData("portfolio")]
    [InlineData("simm")]
    [InlineData("var")]
    [InlineData("es")]
    [InlineData("composite")]
    public void A_requirement_from_the_node_reads_as_the_calculator_explains_it(string model)
    {
        var parameters = RiskParametersFile.Load(RepositoryRoot.Combine("config/risk/all-models.json"));
        var margin = parameters.CreateCalculator(model).Assess(
            PortfolioFile.Load(RepositoryRoot.Combine("config/examples/portfolio-options.json")), MarketFile.Load(RepositoryRoot.Combine("config/examples/market.json")));
        var fromNode = JsonSerializer.SerializeToElement(margin.Requirement, NodeJson);
        var expected = new StringBuilder();
        MarginReportText.WriteRequirement(expected, margin.Requirement, "  ");

        Assert.Equal(expected.ToString().TrimEnd(), MarginExplainCommand.RequirementText(fromNode));
    }

    [Fact]
    public void A_requirement_this_version_cannot_read_is_shown_whole_as_the_node_sent_it()
    {
        var unknown = JsonDocument.Parse("""{"initialMarginUsd":"not a number","future":{"lines":[1,2]}}""").RootElement;

        var text = MarginExplainCommand.RequirementText(unknown);

        Assert.Contains("\"future\"", text, StringComparison.Ordinal);
        Assert.Contains("not a number", text, StringComparison.Ordinal);
    }
}
