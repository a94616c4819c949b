using System.Globalization;
using CrossMargin.Risk.Historical;

namespace CrossMargin.Risk.Tests.Historical;

public class PriceHistoryCsvTests
{
    [Fact]
    public void Parses_dates_columns_and_skips_comments_and_blank_lines()
    {
        var history = PriceHistoryCsv.Parse(new StringReader("# demo\ndate,BTC,ETH\n2026-01-01,100,10\n\n2026-01-02,110.5,9.5\n"));

        Assert.Equal(["BTC", "ETH"], history.Underlyings);
        Assert.Equal(new DateOnly(2026, 1, 2), history.Dates[1]);
        Assert.Equal(Math.Log(110.5 / 100), history.LogReturnsOf("BTC")[0], 15);
        Assert.Equal(Math.Log(9.5 / 10), history.LogReturnsOf("ETH")[0], 15);
    }

    [Theory]
    [InlineData("time,BTC\n2026-01-01,1\n2026-01-02,2\n", "line 1: the header must be \"date\"")]
    [InlineData("date,BTC,BTC\n2026-01-01,1,1\n", "line 1: underlying BTC appears twice")]
    [InlineData("date,BTC\n2026-01-01,1\n2026-01-02,1,2\n", "line 3: 3 fields where the header has 2")]
    [InlineData("date,BTC\n2026-01-01,1\n01/02/2026,2\n", "line 3: date \"01/02/2026\" is not yyyy-MM-dd")]
    [InlineData("date,BTC\n2026-01-02,1\n2026-01-01,2\n", "line 3: date 2026-01-01 is not after the previous row's 2026-01-02")]
    [InlineData("date,BTC,ETH\n2026-01-01,1,2\n2026-01-02,1,abc\n", "line 3: ETH: \"abc\" is not a number")]
    [InlineData("date,BTC\n2026-01-01,1\n2026-01-02,-5\n", "line 3: BTC: price -5 must be positive")]
    [InlineData("date,BTC\n2026-01-01,1\n", "1 row(s): at least two dates")]
    [InlineData("", "empty: no header line")]
    public void Malformed_csv_is_rejected_with_the_line_and_the_problem(string csv, string expected)
    {
        var e = Assert.Throws<PriceHistoryFormatException>(() => PriceHistoryCsv.Parse(new StringReader(csv)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_demo_history_is_exactly_the_seeded_generator_output()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        PriceHistoryCsv.Write(SyntheticPriceHistory.DemoHistory(), writer);

        var shipped = File.ReadAllText(Path.Combine(RepositoryRootPath(), "config", "risk", "history-btc-eth.csv"));

        Assert.Equal(writer.ToString(), shipped);
    }

    [Fact]
    public void Writing_and_parsing_round_trips_the_prices()
    {
        var history = SyntheticPriceHistory.DemoHistory();
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        PriceHistoryCsv.Write(history, writer);

        var parsed = PriceHistoryCsv.Parse(new StringReader(writer.ToString()));

        Assert.Equal(history.Dates, parsed.Dates);
        Assert.Equal(history.ClosesOf("ETH"), parsed.ClosesOf("ETH"));
    }

    private static string RepositoryRootPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CrossMargin.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("CrossMargin.sln not found above the test binaries.");
    }
}
