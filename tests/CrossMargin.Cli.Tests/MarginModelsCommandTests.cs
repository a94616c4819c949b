using System.Globalization;
using System.Text.Json;

namespace CrossMargin.Cli.Tests;

public sealed class MarginModelsCommandTests : IDisposable
{
    private static readonly string[] AllModels = ["standard", "portfolio", "simm", "var", "es", "composite(portfolio+simm+es)"];

    private readonly string _dir = Directory.CreateTempSubdirectory("cm-models-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Model_all_shows_every_model_side_by_side_with_the_figures_each_model_gives_alone()
    {
        var (exit, output, error) = Run("portfolio-options.json", "all-models.json", "--model", "all");

        Assert.True(exit == 0, error);
        var rows = output.Split('\n').Where(l => l.StartsWith("  ", StringComparison.Ordinal)).ToArray();
        foreach (var (name, flag) in AllModels.Zip(new[] { "standard", "portfolio", "simm", "var", "es", "composite" }))
        {
            var (_, alone, _) = Run("portfolio-options.json", "all-models.json", "--model", flag, "--json");
            using var json = JsonDocument.Parse(alone);
            Assert.Equal(name, json.RootElement.GetProperty("model").GetString());
            var im = json.RootElement.GetProperty("initialMargin").GetDecimal().ToString("N2", CultureInfo.InvariantCulture);
            Assert.Contains(rows, r => r.StartsWith($"  {name} ", StringComparison.Ordinal) && r.Contains(im, StringComparison.Ordinal));
        }

        Assert.Contains("delta margin", output, StringComparison.Ordinal);
        Assert.Contains("stressed period: VaR", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_all_as_json_lists_every_model_and_the_composite_is_their_maximum()
    {
        var (exit, output, error) = Run("portfolio-hedged.json", "all-models.json", "--model", "all", "--json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var models = json.RootElement.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(AllModels, models.Select(m => m.GetProperty("model").GetString()));
        decimal Im(string name) => models.Single(m => m.GetProperty("model").GetString() == name).GetProperty("initialMargin").GetDecimal();
        Assert.Equal(new[] { Im("portfolio"), Im("simm"), Im("es") }.Max(), Im(AllModels[^1]));
    }

    [Fact]
    public void Model_all_gives_the_same_bytes_every_time()
    {
        var first = Run("portfolio-options.json", "all-models.json", "--model", "all", "--json").Output;
        var second = Run("portfolio-options.json", "all-models.json", "--model", "all", "--json").Output;

        Assert.Equal(first, second);
    }

    [Fact]
    public void Model_all_with_a_file_of_one_model_shows_the_models_it_has_parameters_for()
    {
        var (exit, output, _) = Run("portfolio-hedged.json", "deribit-pm.json", "--model", "all", "--json");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(["standard", "portfolio"], json.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("model").GetString()));
    }

    [Theory]
    [InlineData("deribit-pm.json", "simm", "model simm: the parameter file has no \"simm\" section")]
    [InlineData("standard.json", "es", "model es: the parameter file has no \"historical\" section")]
    [InlineData("all-models.json", "svar", "--model: \"svar\" is not one of all, standard")]
    public void A_model_the_file_cannot_give_is_one_error_line(string parameters, string model, string expected)
    {
        var (exit, output, error) = Run("portfolio-hedged.json", parameters, "--model", model);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("date,BTC,ETH\n2024-01-01,1,2\n2024-01-02,1,x\n", "bad.csv: line 3: ETH: \"x\" is not a number")]
    [InlineData("date,BTC,ETH\n2024-01-01,1,2\n2024-01-02,1,3\n", "lookback of 500 days needs that many returns; the history has 1")]
    public void A_bad_price_history_names_the_file_and_line(string csv, string expected)
    {
        File.WriteAllText(Path.Combine(_dir, "bad.csv"), csv);
        var parameters = File.ReadAllText(RepositoryRoot.Combine("config/risk/all-models.json")).Replace("\"history-btc-eth.csv\"", "\"bad.csv\"", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_dir, "p.json"), parameters);

        var (exit, _, error) = RunPaths(RepositoryRoot.Combine("config/examples/portfolio-hedged.json"), Path.Combine(_dir, "p.json"));

        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_without_the_data_a_portfolio_needs_is_shown_as_not_available_beside_the_others()
    {
        // A BTC-only history (date and BTC columns): the options portfolio also holds ETH, so var, es and the composite cannot assess it.
        var btcOnly = string.Join('\n', File.ReadAllLines(RepositoryRoot.Combine("config/risk/history-btc-eth.csv"))
            .Select(l => string.Join(',', l.Split(',').Take(2)))) + "\n";
        File.WriteAllText(Path.Combine(_dir, "btc.csv"), btcOnly);
        var parameters = File.ReadAllText(RepositoryRoot.Combine("config/risk/all-models.json")).Replace("\"history-btc-eth.csv\"", "\"btc.csv\"", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_dir, "p.json"), parameters);

        var (exit, output, error) = RunPaths(RepositoryRoot.Combine("config/examples/portfolio-options.json"), Path.Combine(_dir, "p.json"), "--model", "all", "--json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var models = json.RootElement.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(["standard", "portfolio", "simm"], models.Where(m => m.TryGetProperty("initialMargin", out _)).Select(m => m.GetProperty("model").GetString()));
        Assert.Equal(["var", "es", "composite"], models.Where(m => m.TryGetProperty("error", out _)).Select(m => m.GetProperty("model").GetString()));
        Assert.Contains("no prices for ETH", models[3].GetProperty("error").GetString(), StringComparison.Ordinal);
        var text = RunPaths(RepositoryRoot.Combine("config/examples/portfolio-options.json"), Path.Combine(_dir, "p.json"), "--model", "all").Output;
        Assert.Contains(text.Split('\n'), l => l.StartsWith("  var ", StringComparison.Ordinal) && l.Contains("n/a", StringComparison.Ordinal));
    }

    private static (int Exit, string Output, string Error) Run(string portfolio, string parameters, params string[] extra) =>
        RunPaths(RepositoryRoot.Combine("config/examples/" + portfolio), RepositoryRoot.Combine("config/risk/" + parameters), extra);

    private static (int Exit, string Output, string Error) RunPaths(string portfolio, string parameters, params string[] extra)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        string[] args = ["margin", "calc", "--portfolio", portfolio, "--market", RepositoryRoot.Combine("config/examples/market.json"), "--params", parameters, .. extra];
        var exit = CliApp.Run(args, TextReader.Null, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
