using System.Globalization;
using System.Text.Json;

namespace CrossMargin.Cli.Tests;

public sealed class StressCascadeCommandTests : IDisposable
{
    private static readonly string[] ExampleShock = ["--spot", "BTC=-0.08,ETH=-0.09", "--impact", "BTC=0.02,ETH=0.03", "--fund", "3000"];

    private readonly string _dir = Directory.CreateTempSubdirectory("cm-cascade-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_example_book_cascades_over_rounds_and_reports_volume_fund_use_and_shortfall()
    {
        var (exit, output, error) = Run(Example, ExampleShock);

        Assert.True(exit == 0, error);
        var lines = output.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("  Round 1 liquidated: whale, levered-eth, put-seller", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  Round 2 liquidated: momentum", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  Stable: round 4 liquidated nobody.", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  Insurance fund used", StringComparison.Ordinal) && l.Contains("3,000.00  (left 0.00 of 3,000.00)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  Final shortfall", StringComparison.Ordinal));
    }

    [Fact]
    public void Forced_contracts_are_exactly_the_positions_of_the_accounts_liquidated()
    {
        var (exit, output, error) = Run(Example, [.. ExampleShock, "--json"]);

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var rounds = root.GetProperty("rounds").EnumerateArray().ToArray();
        var liquidated = rounds.SelectMany(r => r.GetProperty("liquidated").EnumerateArray().Select(a => a.GetString()!)).ToHashSet(StringComparer.Ordinal);
        using var book = JsonDocument.Parse(File.ReadAllText(Example));
        var expected = book.RootElement.GetProperty("accounts").EnumerateArray()
            .Where(a => liquidated.Contains(a.GetProperty("accountId").GetString()!))
            .SelectMany(a => a.GetProperty("positions").EnumerateArray())
            .GroupBy(p => p.GetProperty("symbol").GetString()!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => -g.Sum(p => p.GetProperty("quantity").GetDecimal()), StringComparer.Ordinal);
        var forced = root.GetProperty("forcedTrades").EnumerateArray()
            .ToDictionary(t => t.GetProperty("symbol").GetString()!, t => t.GetProperty("contracts").GetDecimal(), StringComparer.Ordinal);

        Assert.Equal(5, liquidated.Count);
        Assert.Equal(expected.OrderBy(x => x.Key, StringComparer.Ordinal), forced.OrderBy(x => x.Key, StringComparer.Ordinal));
        Assert.True(root.GetProperty("stable").GetBoolean());
        Assert.Equal(rounds.Sum(r => r.GetProperty("uncovered").GetDecimal()), root.GetProperty("finalShortfall").GetDecimal());
        Assert.True(root.GetProperty("finalShortfall").GetDecimal() > 0, "a 3,000 fund does not cover the deficits");
        Assert.Equal(3_000m, root.GetProperty("insuranceFundUsed").GetDecimal());
        Assert.Equal(root.GetProperty("forcedTrades").EnumerateArray().Sum(t => t.GetProperty("notional").GetDecimal()), root.GetProperty("forcedVolume").GetDecimal());
        // Round 2's market is round 1's shock moved further by round 1's net forced selling: prices only fall.
        Assert.True(rounds[1].GetProperty("spotMoves").GetProperty("BTC").GetDouble() < -0.08);
    }

    [Fact]
    public void A_named_stress_of_the_parameter_file_can_drive_the_cascade()
    {
        var (exit, output, error) = RunWith(Example, RepositoryRoot.Combine("config/risk/all-models.json"), "--scenario", "crypto-crash", "--json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("crypto-crash", json.RootElement.GetProperty("shock").GetString());
        Assert.StartsWith("composite", json.RootElement.GetProperty("model").GetString(), StringComparison.Ordinal);
        Assert.Equal(-0.3, json.RootElement.GetProperty("rounds")[0].GetProperty("spotMoves").GetProperty("BTC").GetDouble(), 12);
    }

    [Fact]
    public void The_round_limit_stops_a_running_cascade_and_says_so()
    {
        var (exit, output, error) = Run(Example, [.. ExampleShock, "--max-rounds", "1"]);

        Assert.True(exit == 0, error);
        Assert.Contains("Not stable: stopped at the round limit (1) with round 1 still liquidating.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_goes_to_standard_error_and_leaves_the_json_clean()
    {
        var (exit, output, error) = Run(Example, [.. ExampleShock, "--json", "--progress"]);

        Assert.True(exit == 0, error);
        Assert.Contains("round 1: 7 accounts assessed, 3 liquidated", error, StringComparison.Ordinal);
        Assert.Contains("round 4: 2 accounts assessed, 0 liquidated", error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(4, json.RootElement.GetProperty("rounds").GetArrayLength());
    }

    [Theory]
    [InlineData(new[] { "--impact", "BTC=0.02" }, "a cascade needs a shock: --scenario NAME or --spot/--vol")]
    [InlineData(new[] { "--spot", "BTC=-0.1", "--impact", "BTC=-0.02" }, "--impact: BTC=-0.02 must not be negative")]
    [InlineData(new[] { "--spot", "BTC=-0.1", "--impact", "BTC" }, "--impact: \"BTC\" is not UNDERLYING=number")]
    [InlineData(new[] { "--spot", "BTC=-0.1", "--fund", "-5" }, "--fund: the insurance fund must not be negative")]
    [InlineData(new[] { "--spot", "BTC=-0.1", "--max-rounds", "0" }, "--max-rounds: must be 1 to 1000")]
    [InlineData(new[] { "--scenario", "nope" }, "--scenario: no stress named \"nope\"")]
    [InlineData(new[] { "--scenario", "crypto-crash", "--spot", "BTC=-0.1" }, "--scenario: give a named stress or --spot/--vol, not both")]
    public void Bad_options_are_input_errors(string[] extra, string expected)
    {
        var (exit, output, error) = RunWith(Example, RepositoryRoot.Combine("config/risk/all-models.json"), extra);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"accounts":[]}""", "accounts: a book needs at least one account")]
    [InlineData("""{"accounts":[{"accountId":"a","balances":[],"positions":[]},{"accountId":"a","balances":[],"positions":[]}]}""", "accounts[1].accountId: a appears twice in the book")]
    [InlineData("""{"accounts":[{"accountId":"a","balances":[],"positions":[{"symbol":"BTC-PERP","quantity":"x","entryPrice":1}]}]}""", "accounts[0].positions[0].quantity")]
    [InlineData("""{"accounts":[{"accountId":"a","balances":[],"positions":[{"symbol":"DOGE-PERP","quantity":1,"entryPrice":1}]}]}""", "DOGE-PERP")]
    [InlineData("""{"portfolios":[]}""", "portfolios: unknown field")]
    public void A_bad_book_is_an_input_error_naming_the_file_and_the_field(string book, string expected)
    {
        var path = Path.Combine(_dir, "book.json");
        File.WriteAllText(path, book);

        var (exit, _, error) = Run(path, "--spot", "BTC=-0.1");

        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains("book.json", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_option_is_a_usage_error()
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);

        var exit = CliApp.Run(["stress", "cascade", "--market", RepositoryRoot.Combine("config/examples/market.json")], TextReader.Null, output, error);

        Assert.Equal(2, exit);
        Assert.Contains("--book", error.ToString(), StringComparison.Ordinal);
    }

    private static string Example => RepositoryRoot.Combine("config/examples/book-cascade.json");

    private static (int Exit, string Output, string Error) Run(string book, params string[] extra) =>
        RunWith(book, RepositoryRoot.Combine("config/risk/standard.json"), extra);

    private static (int Exit, string Output, string Error) RunWith(string book, string parameters, params string[] extra)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        string[] args = ["stress", "cascade", "--book", book, "--market", RepositoryRoot.Combine("config/examples/market.json"), "--params", parameters, .. extra];
        var exit = CliApp.Run(args, TextReader.Null, output, error);
        return (exit, output.ToString().ReplaceLineEndings("\n"), error.ToString());
    }
}
