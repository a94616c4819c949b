using System.Globalization;
using System.Text.Json;
using CrossMargin.Cli.Commands;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Cli.Tests.Commands;

public class PricePipelineTests
{
    private const string GoodCall = """{"kind":"call","forward":19,"strike":19,"years":0.75,"vol":0.28,"rate":0.1}""";
    private const string GoodPut = """{"kind":"put","forward":42000.5,"strike":40000,"years":0.25,"vol":0.65,"rate":-0.01}""";

    [Fact]
    public void Good_lines_are_priced_with_every_greek_and_exit_code_0()
    {
        var (exitCode, lines, errors) = Run(GoodCall + "\n" + GoodPut + "\n");

        Assert.Equal(0, exitCode);
        Assert.Equal("", errors);
        Assert.Equal(2, lines.Length);
        AssertPriced(lines[0], OptionKind.Call, 19, 19, 0.75, 0.28, 0.1);
        AssertPriced(lines[1], OptionKind.Put, 42000.5, 40000, 0.25, 0.65, -0.01);
    }

    [Fact]
    public void Output_echoes_the_input_fields_in_order_then_the_greeks()
    {
        var (_, lines, _) = Run(GoodCall);

        using var document = JsonDocument.Parse(lines[0]);
        var names = document.RootElement.EnumerateObject().Select(p => p.Name);
        Assert.Equal(["kind", "forward", "strike", "years", "vol", "rate", "price", "delta", "gamma", "vega", "theta", "rho"], names);
        Assert.Equal("call", document.RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public void Numbers_round_trip_exactly()
    {
        var (_, lines, _) = Run("""{"kind":"call","forward":0.1,"strike":0.30000000000000004,"years":1e-7,"vol":1.7976931348623157e300,"rate":0}""");
        var expected = Black76.Greeks(OptionKind.Call, 0.1, 0.30000000000000004, 1e-7, 1.7976931348623157e300, 0);

        using var document = JsonDocument.Parse(lines[0]);
        Assert.Equal(0.30000000000000004, document.RootElement.GetProperty("strike").GetDouble());
        Assert.Equal(1.7976931348623157e300, document.RootElement.GetProperty("vol").GetDouble());
        Assert.Equal(expected.Price, document.RootElement.GetProperty("price").GetDouble());
        Assert.Equal(expected.Vega, document.RootElement.GetProperty("vega").GetDouble());
    }

    [Fact]
    public void A_bad_line_is_reported_in_place_while_the_others_are_priced_and_exit_code_is_1()
    {
        var input = string.Join('\n', GoodCall, """{"kind":"call","forward":-5,"strike":19,"years":0.75,"vol":0.28,"rate":0.1}""", GoodPut);

        var (exitCode, lines, errors) = Run(input);

        Assert.Equal(1, exitCode);
        Assert.Equal(3, lines.Length);
        AssertPriced(lines[0], OptionKind.Call, 19, 19, 0.75, 0.28, 0.1);
        AssertError(lines[1], 2, "forward");
        AssertPriced(lines[2], OptionKind.Put, 42000.5, 40000, 0.25, 0.65, -0.01);
        Assert.Contains("line 2", errors, StringComparison.Ordinal);
        Assert.Contains("'forward'", errors, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Blank_lines_are_skipped_but_counted_in_line_numbers()
    {
        var (exitCode, lines, _) = Run("\n" + GoodCall + "\n   \n{not json\n");

        Assert.Equal(1, exitCode);
        Assert.Equal(2, lines.Length);
        AssertPriced(lines[0], OptionKind.Call, 19, 19, 0.75, 0.28, 0.1);
        AssertError(lines[1], 4, "malformed JSON");
    }

    [Fact]
    public void Empty_input_writes_nothing_and_succeeds()
    {
        var (exitCode, lines, errors) = Run("");

        Assert.Equal(0, exitCode);
        Assert.Empty(lines);
        Assert.Equal("", errors);
    }

    [Theory]
    [InlineData("""{"forward":19,"strike":19,"years":0.75,"vol":0.28,"rate":0.1}""", "'kind'")]
    [InlineData("""{"kind":"straddle","forward":19,"strike":19,"years":0.75,"vol":0.28,"rate":0.1}""", "'kind'")]
    [InlineData("""{"kind":1,"forward":19,"strike":19,"years":0.75,"vol":0.28,"rate":0.1}""", "'kind'")]
    [InlineData("""{"kind":"call","strike":19,"years":0.75,"vol":0.28,"rate":0.1}""", "'forward'")]
    [InlineData("""{"kind":"call","forward":"19","strike":19,"years":0.75,"vol":0.28,"rate":0.1}""", "'forward'")]
    [InlineData("""{"kind":"call","forward":0,"strike":19,"years":0.75,"vol":0.28,"rate":0.1}""", "'forward'")]
    [InlineData("""{"kind":"call","forward":1e400,"strike":19,"years":0.75,"vol":0.28,"rate":0.1}""", "'forward'")]
    [InlineData("""{"kind":"call","forward":19,"years":0.75,"vol":0.28,"rate":0.1}""", "'strike'")]
    [InlineData("""{"kind":"call","forward":19,"strike":-19,"years":0.75,"vol":0.28,"rate":0.1}""", "'strike'")]
    [InlineData("""{"kind":"call","forward":19,"strike":null,"years":0.75,"vol":0.28,"rate":0.1}""", "'strike'")]
    [InlineData("""{"kind":"call","forward":19,"strike":19,"vol":0.28,"rate":0.1}""", "'years'")]
    [InlineData("""{"kind":"call","forward":19,"strike":19,"years":-0.75,"vol":0.28,"rate":0.1}""", "'years'")]
    [InlineData("""{"kind":"call","forward":19,"strike":19,"years":0.75,"rate":0.1}""", "'vol'")]
    [InlineData("""{"kind":"call","forward":19,"strike":19,"years":0.75,"vol":-0.28,"rate":0.1}""", "'vol'")]
    [InlineData("""{"kind":"call","forward":19,"strike":19,"years":0.75,"vol":[0.28],"rate":0.1}""", "'vol'")]
    [InlineData("""{"kind":"call","forward":19,"strike":19,"years":0.75,"vol":0.28}""", "'rate'")]
    [InlineData("""{"kind":"call","forward":19,"strike":19,"years":0.75,"vol":0.28,"rate":true}""", "'rate'")]
    [InlineData("""{"kind":"call","forward":19,"strike":19,"years":0.75,"vol":0.28,"rate":0.1,"rate":0.2}""", "'rate'")]
    [InlineData("""{"kind":"call","forward":19,"strike":19,"years":0.75,"volatility":0.28,"rate":0.1}""", "'volatility'")]
    [InlineData("""[1,2,3]""", "JSON object")]
    [InlineData("""{"kind":"call",""", "malformed JSON")]
    public void Each_validation_error_names_its_field(string line, string expected)
    {
        var (exitCode, lines, errors) = Run(line);

        Assert.Equal(1, exitCode);
        AssertError(Assert.Single(lines), 1, expected);
        Assert.Contains(expected, errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_whose_results_overflow_are_rejected_not_written_as_infinity()
    {
        var (exitCode, lines, _) = Run("""{"kind":"call","forward":19,"strike":19,"years":1000,"vol":0.28,"rate":-1000}""");

        Assert.Equal(1, exitCode);
        AssertError(Assert.Single(lines), 1, "'rate'");
    }

    [Fact]
    public void Create_returns_the_price_command()
    {
        var command = PriceCommand.Create(TextReader.Null, TextWriter.Null, TextWriter.Null);

        Assert.Equal("price", command.Name);
        Assert.Contains("every field required", command.Description, StringComparison.Ordinal);
        Assert.NotNull(command.Action);
    }

    private static (int ExitCode, string[] Lines, string Errors) Run(string input)
    {
        using var reader = new StringReader(input);
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);

        var exitCode = PricePipeline.Run(reader, output, error);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        return (exitCode, lines, error.ToString());
    }

    private static void AssertPriced(string line, OptionKind kind, double forward, double strike, double years, double vol, double rate)
    {
        var expected = Black76.Greeks(kind, forward, strike, years, vol, rate);
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;

        Assert.False(root.TryGetProperty("error", out _), line);
        Assert.Equal(forward, root.GetProperty("forward").GetDouble());
        Assert.Equal(strike, root.GetProperty("strike").GetDouble());
        Assert.Equal(years, root.GetProperty("years").GetDouble());
        Assert.Equal(vol, root.GetProperty("vol").GetDouble());
        Assert.Equal(rate, root.GetProperty("rate").GetDouble());
        Assert.Equal(expected.Price, root.GetProperty("price").GetDouble());
        Assert.Equal(expected.Delta, root.GetProperty("delta").GetDouble());
        Assert.Equal(expected.Gamma, root.GetProperty("gamma").GetDouble());
        Assert.Equal(expected.Vega, root.GetProperty("vega").GetDouble());
        Assert.Equal(expected.Theta, root.GetProperty("theta").GetDouble());
        Assert.Equal(expected.Rho, root.GetProperty("rho").GetDouble());
    }

    private static void AssertError(string line, int lineNumber, string expectedFragment)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;

        Assert.Equal(lineNumber, root.GetProperty("line").GetInt32());
        Assert.Contains(expectedFragment, root.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, root.EnumerateObject().Count());
    }
}
