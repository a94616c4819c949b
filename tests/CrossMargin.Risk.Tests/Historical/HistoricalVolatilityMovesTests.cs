using System.Globalization;
using CrossMargin.Risk.Historical;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Pricing;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Historical;

/// <summary>Implied-vol columns in the price history and the relative vol move they give each historical scenario.</summary>
public class HistoricalVolatilityMovesTests
{
    // BTC prices of HistoricalSimulationModelTests; vols 0.50, 0.75 (+50%), 0.60, 0.60, 0.90 (+50%), 0.45 (-50%).
    private const string Prices = "2026-01-01,100,10\n2026-01-02,110,10\n2026-01-03,99,10\n2026-01-04,99,10\n2026-01-05,108.9,10\n2026-01-06,103.455,10\n";
    private static readonly PriceHistory PricesOnly = PriceHistoryCsv.Parse(new StringReader("date,BTC,ETH\n" + Prices));
    private static readonly PriceHistory WithVols = PriceHistoryCsv.Parse(new StringReader(
        "date,BTC,ETH,BTC:vol\n2026-01-01,100,10,0.50\n2026-01-02,110,10,0.75\n2026-01-03,99,10,0.60\n2026-01-04,99,10,0.60\n2026-01-05,108.9,10,0.90\n2026-01-06,103.455,10,0.45\n"));

    private static readonly HistoricalSimulationParameters Var60 = new(RiskMeasure.ValueAtRisk, VarConfidence: 0.6, EsConfidence: 0.6, LookbackDays: 5);

    private static Portfolio Book(string symbol, decimal quantity) => new("a", [new CollateralBalance("USDT", 1_000_000)], [new Position(symbol, quantity, 60_000)]);

    [Fact]
    public void Vol_columns_are_read_beside_the_prices_of_their_underlying()
    {
        Assert.Equal(["BTC", "ETH"], WithVols.Underlyings);
        Assert.Equal(["BTC"], WithVols.VolatilityUnderlyings);
        Assert.True(WithVols.HasVolatility("BTC"));
        Assert.False(WithVols.HasVolatility("ETH"));
        Assert.Equal(0.75, WithVols.VolatilitiesOf("BTC")[1]);
        Assert.Equal(Math.Log(1.5), WithVols.LogVolatilityChangesOf("BTC")[0], 15);
        Assert.Equal(PricesOnly.ClosesOf("BTC"), WithVols.ClosesOf("BTC"));
        Assert.Empty(PricesOnly.VolatilityUnderlyings);
    }

    [Theory]
    [InlineData("date,BTC,SOL:vol\n", "line 1: implied-vol column SOL:vol has no price column SOL")]
    [InlineData("date,BTC,BTC:iv\n", "line 1: column \"BTC:iv\": the only column suffix is \":vol\"")]
    [InlineData("date,BTC,:vol\n", "line 1: column \":vol\" names no underlying")]
    [InlineData("date,BTC,BTC:vol,BTC:vol\n", "line 1: underlying BTC:vol appears twice")]
    [InlineData("date,BTC,BTC:vol\n2026-01-01,1,0.5\n2026-01-02,1,high\n", "line 3: BTC:vol: \"high\" is not a number")]
    [InlineData("date,BTC,BTC:vol\n2026-01-01,1,0.5\n2026-01-02,1,0\n", "line 3: BTC:vol: implied vol 0 must be a positive fraction no larger than 10 (0.55 = 55%)")]
    [InlineData("# vols\ndate,BTC,BTC:vol\n2026-01-01,1,55\n2026-01-02,1,0.5\n", "line 3: BTC:vol: implied vol 55 must be a positive fraction")]
    [InlineData("date,BTC,BTC:vol\n2026-01-01,1,0.5\n2026-01-02,1\n", "line 3: 2 fields where the header has 3")]
    public void Malformed_vol_columns_are_rejected_with_the_line_and_the_problem(string csv, string expected)
    {
        var e = Assert.Throws<PriceHistoryFormatException>(() => PriceHistoryCsv.Parse(new StringReader(csv)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vol_changes_get_the_horizon_treatment_of_price_returns()
    {
        var scaled = HistoricalScenarioSet.Current(WithVols, new HistoricalSimulationParameters(HorizonDays: 2, LookbackDays: 5));
        var windows = HistoricalScenarioSet.Current(WithVols, new HistoricalSimulationParameters(HorizonDays: 2, Horizon: HorizonMethod.OverlappingWindows, LookbackDays: 5));

        Assert.Equal(Math.Log(1.5) * Math.Sqrt(2), scaled.VolatilityChangesOf("BTC")[0], 12);
        Assert.Equal(Math.Log(0.60 / 0.50), windows.VolatilityChangesOf("BTC")[0], 12);
        Assert.Equal(Math.Log(0.45 / 0.60), windows.VolatilityChangesOf("BTC")[3], 12);
        Assert.True(scaled.VolatilityChangesOf("ETH").IsEmpty);
    }

    [Fact]
    public void A_scenario_reprices_an_option_at_its_vol_times_the_historical_vol_ratio()
    {
        var market = TestMarket.Build();
        var symbol = TestMarket.LinearOption(OptionKind.Call, 60000);
        var option = (OptionContract)market.GetInstrument(symbol);
        var o = market.OptionInputsOf(symbol);
        var set = HistoricalScenarioSet.Current(WithVols, Var60);

        var pnl = HistoricalSimulationModel.ScenarioPnl(set, [new Holding(option, 2, 0)], market);

        // Scenario 0 (2026-01-02): BTC x 1.1 and its vols x 1.5, so the 0.55 smile point becomes 0.825.
        var before = Black76.Price(OptionKind.Call, o.Forward, 60000, o.Years, o.Volatility, o.Rate);
        var after = Black76.Price(OptionKind.Call, o.Forward * 1.1, 60000, o.Years, o.Volatility * 1.5, o.Rate);
        Assert.Equal(2 * (after - before), pnl[0], 6);
    }

    [Fact]
    public void An_option_book_VaR_changes_when_the_history_moves_vols_and_a_linear_book_VaR_does_not()
    {
        var market = TestMarket.Build();
        var shortCall = Book(TestMarket.LinearOption(OptionKind.Call, 60000), -10);
        var perp = Book(TestMarket.BtcUsdt, 1);
        MarginRequirement Var(PriceHistory h, Portfolio p) => TestParameters.Calculator(new HistoricalSimulationModel(Var60, h)).Assess(p, market).Requirement;

        var optionFixed = Var(PricesOnly, shortCall);
        var optionMoved = Var(WithVols, shortCall);

        // The short call loses more where BTC rose with its vol (+10% and +50%) than with the vol fixed.
        Assert.True(optionMoved.InitialMarginUsd > optionFixed.InitialMarginUsd, $"{optionMoved.InitialMarginUsd} vs {optionFixed.InitialMarginUsd}");
        Assert.Equal(["BTC"], optionMoved.Historical!.VolatilityMoves);
        Assert.Empty(optionFixed.Historical!.VolatilityMoves!);
        Assert.Equal(Var(PricesOnly, perp).InitialMarginUsd, Var(WithVols, perp).InitialMarginUsd);
        Assert.Equal(3_000m, Var(WithVols, perp).InitialMarginUsd);
    }

    [Fact]
    public void Vols_and_prices_round_trip_through_the_csv()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        PriceHistoryCsv.Write(WithVols, writer, decimals: 3);

        var parsed = PriceHistoryCsv.Parse(new StringReader(writer.ToString()));

        Assert.StartsWith("date,BTC,ETH,BTC:vol\n2026-01-01,100.000,10.000,0.5000\n", writer.ToString(), StringComparison.Ordinal);
        Assert.Equal(WithVols.VolatilitiesOf("BTC"), parsed.VolatilitiesOf("BTC"));
        Assert.Equal(WithVols.ClosesOf("BTC"), parsed.ClosesOf("BTC"));
    }

    [Fact]
    public void The_synthetic_vols_leave_the_synthetic_prices_untouched_and_rise_in_the_crash()
    {
        var plain = SyntheticPriceHistory.Generate(SyntheticPriceHistory.DemoSeed, new DateOnly(2024, 11, 21), 730, SyntheticPriceHistory.Demo, 400, 430);
        var demo = SyntheticPriceHistory.DemoHistory();

        Assert.Equal(plain.ClosesOf("BTC"), demo.ClosesOf("BTC"));
        Assert.Equal(plain.ClosesOf("ETH"), demo.ClosesOf("ETH"));
        Assert.Empty(plain.VolatilityUnderlyings);
        var btc = demo.VolatilitiesOf("BTC");
        Assert.True(btc.Skip(400).Take(30).Average() > 1.3 * btc.Skip(300).Take(100).Average(), "implied vol rises in the crash regime");
    }
}
