using System.Globalization;
using System.Text.Json;

namespace CrossMargin.Cli.Tests;

public sealed class MarginCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cm-margin-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Json_output_carries_the_figures_and_the_explanation()
    {
        var (exit, output, _) = Run(Example("portfolio-hedged.json"), Example("market.json"), Params("deribit-pm.json"), "--json");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("healthy", root.GetProperty("status").GetString());
        var im = root.GetProperty("initialMargin").GetDecimal();
        var risks = root.GetProperty("explanation").GetProperty("underlyings").EnumerateArray().Sum(u => u.GetProperty("risk").GetDecimal());
        Assert.True(im >= risks && im - risks < 0.01m, $"IM {im} is the rounded-up sum of underlying risks {risks}");
        Assert.Equal(root.GetProperty("equity").GetDecimal() - im, root.GetProperty("availableMargin").GetDecimal());
    }

    [Fact]
    public void The_old_spelling_without_calc_still_runs_the_calculator_with_the_same_answer()
    {
        string[] files = ["--portfolio", Example("portfolio-hedged.json"), "--market", Example("market.json"), "--params", Params("deribit-pm.json"), "--json"];
        using var oldOutput = new StringWriter(CultureInfo.InvariantCulture);
        using var newOutput = new StringWriter(CultureInfo.InvariantCulture);

        var oldExit = CliApp.Run(["margin", .. files], TextReader.Null, oldOutput, TextWriter.Null);
        var newExit = CliApp.Run(["margin", "calc", .. files], TextReader.Null, newOutput, TextWriter.Null);

        Assert.Equal((0, 0), (oldExit, newExit));
        Assert.Equal(newOutput.ToString(), oldOutput.ToString());
    }

    [Fact]
    public void Margin_without_a_subcommand_is_a_usage_error_naming_calc_and_explain()
    {
        using var error = new StringWriter(CultureInfo.InvariantCulture);

        var exit = CliApp.Run(["margin"], TextReader.Null, TextWriter.Null, error);

        Assert.Equal(2, exit);
        Assert.Contains("calc", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("explain ID", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_example_portfolio_runs_under_every_parameter_file()
    {
        foreach (var parameters in Directory.GetFiles(RepositoryRoot.Combine("config/risk"), "*.json"))
        {
            foreach (var portfolio in Directory.GetFiles(RepositoryRoot.Combine("config/examples"), "portfolio-*.json"))
            {
                var (exit, output, error) = Run(portfolio, Example("market.json"), parameters);
                Assert.True(exit == 0, $"{portfolio} with {parameters}: {error}");
                Assert.Contains("Initial margin", output, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("""{"accountId":"a","balances":[],"positions":[{"symbol":"BTC-PERP","entryPrice":1}]}""", "positions[0].quantity: required")]
    [InlineData("""{"accountId":"a","balances":[],"positions":[{"symbol":"NOPE","quantity":1,"entryPrice":1}]}""", "Unknown instrument NOPE")]
    [InlineData("""{"accountId":"a","balances":[],"positions":[{"symbol":"BTC-PERP","quantiy":1,"entryPrice":1}]}""", "positions[0].quantiy: unknown field")]
    [InlineData("""{"accountId":"a","balances":[{"asset":"USDT","amount":"ten"}],"positions":[]}""", "balances[0].amount: must be a number")]
    [InlineData("""{"accountId":"a","balances":[],"positions":[],"openOrders":[{"orderId":"1","symbol":"BTC-PERP","side":"buy","quantity":-1,"price":1}]}""", "openOrders[0].quantity: must be positive")]
    [InlineData("""{"accountId":"a",""", "not valid JSON")]
    public void Bad_portfolio_is_rejected_naming_the_field(string portfolio, string expected)
    {
        var (exit, output, error) = Run(Write("p.json", portfolio), Example("market.json"), Params("standard.json"));

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"vol\": 0.58", "\"vol\": -0.58", "marks[4].vol")]
    [InlineData("\"valuationTime\": \"2026-11-21T08:00:00Z\"", "\"valuationTime\": \"2026-12-26T08:00:00Z\"", "expired")]
    [InlineData("\"contractSize\": 0.001", "\"contractSize\": 0", "instruments[0]")]
    public void Bad_market_is_rejected_naming_the_field(string find, string replace, string expected)
    {
        var market = File.ReadAllText(Example("market.json"));
        Assert.Contains(find, market, StringComparison.Ordinal);
        var bad = Write("m.json", ReplaceFirst(market, find, replace));

        var (exit, _, error) = Run(Example("portfolio-hedged.json"), bad, Params("standard.json"));

        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_reported_not_thrown()
    {
        var (exit, _, error) = Run(Path.Combine(_dir, "absent.json"), Example("market.json"), Params("standard.json"));

        Assert.Equal(2, exit);
        Assert.Contains("Cannot read the portfolio file", error, StringComparison.Ordinal);
    }

    private static string ReplaceFirst(string text, string find, string replace)
    {
        var i = text.IndexOf(find, StringComparison.Ordinal);
        return text[..i] + replace + text[(i + find.Length)..];
    }

    private static string Example(string name) => RepositoryRoot.Combine("config/examples/" + name);

    private static string Params(string name) => RepositoryRoot.Combine("config/risk/" + name);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Exit, string Output, string Error) Run(string portfolio, string market, string parameters, params string[] extra)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        string[] args = ["margin", "calc", "--portfolio", portfolio, "--market", market, "--params", parameters, .. extra];
        var exit = CliApp.Run(args, TextReader.Null, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
