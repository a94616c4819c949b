using System.Globalization;
using System.Text.Json;

namespace CrossMargin.Cli.Tests;

public sealed class StressCommandTests : IDisposable
{
    // 1 BTC long through BTC-PERP (1,000 x 0.001) entered at its mark 60,010.5, against 10,000 USDT at 0.9998.
    private const string LongPerp = """
        {"accountId":"long","balances":[{"asset":"USDT","amount":10000}],"positions":[{"symbol":"BTC-PERP","quantity":1000,"entryPrice":60010.5}]}
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("cm-stress-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Every_named_stress_of_the_file_reports_pnl_and_the_state_before_and_after()
    {
        var (exit, output, error) = Run(RepositoryRoot.Combine("config/examples/portfolio-hedged.json"), "--json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var stresses = json.RootElement.GetProperty("stresses").EnumerateArray().ToArray();
        Assert.Equal(["crypto-crash", "melt-up", "vol-crush"], stresses.Select(s => s.GetProperty("name").GetString()));
        var crash = stresses[0];
        Assert.Equal(-0.36, crash.GetProperty("spotMoves").GetProperty("ETH").GetDouble(), 12);
        var change = crash.GetProperty("after").GetProperty("equity").GetDecimal() - crash.GetProperty("before").GetProperty("equity").GetDecimal();
        Assert.InRange(crash.GetProperty("pnl").GetDecimal() - change, -0.01m, 0.01m);
    }

    [Fact]
    public void An_ad_hoc_crash_bankrupts_a_long_perpetual_by_its_notional_times_the_move()
    {
        var (exit, output, error) = Run(Write(LongPerp), "--spot", "BTC=-0.5", "--json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var s = json.RootElement.GetProperty("stresses")[0];
        // 1 BTC x 60,010.5 x -50% x 0.9998 USD per USDT.
        Assert.Equal(-29_999.25m, Math.Round(s.GetProperty("pnl").GetDecimal(), 2));
        Assert.Equal("bankrupt", s.GetProperty("after").GetProperty("status").GetString());
        Assert.Equal(-s.GetProperty("after").GetProperty("equity").GetDecimal(), s.GetProperty("deficit").GetDecimal());
    }

    [Fact]
    public void Reverse_stress_finds_the_move_that_eats_the_collateral()
    {
        var (exit, output, error) = Run(Write(LongPerp), "--reverse", "--spot", "BTC=0", "--json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var reverse = json.RootElement.GetProperty("reverse");
        // Equity 10,000 x 0.9998 + 60,010.5 x 0.9998 x m < 0 when m < -10,000 / 60,010.5.
        var expected = -10_000 / 60_010.5;
        var move = reverse.GetProperty("down").GetProperty("move").GetDouble();
        Assert.InRange(move, expected - reverse.GetProperty("tolerance").GetDouble(), expected);
        Assert.Equal(JsonValueKind.Null, reverse.GetProperty("up").ValueKind);
    }

    [Theory]
    [InlineData("--scenario", "nope", "--scenario: no stress named \"nope\" in the parameter file (it has: crypto-crash, melt-up, vol-crush)")]
    [InlineData("--spot", "BTC:-0.3", "--spot: \"BTC:-0.3\" is not UNDERLYING=number")]
    [InlineData("--spot", "BTC=-1.5", "--spot: A spot move must be finite and above -100%")]
    public void Bad_stress_input_is_one_error_line(string option, string value, string expected)
    {
        var (exit, output, error) = Run(Write(LongPerp), option, value);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    private string Write(string portfolio)
    {
        var path = Path.Combine(_dir, "p.json");
        File.WriteAllText(path, portfolio);
        return path;
    }

    private static (int Exit, string Output, string Error) Run(string portfolio, params string[] extra)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        string[] args = ["stress", "portfolio", "--portfolio", portfolio, "--market", RepositoryRoot.Combine("config/examples/market.json"),
            "--params", RepositoryRoot.Combine("config/risk/all-models.json"), .. extra];
        var exit = CliApp.Run(args, TextReader.Null, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
