using CrossMargin.Risk.Historical;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Pricing;
using CrossMargin.Risk.Serialization;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Historical;

public class HistoricalSimulationModelTests
{
    // BTC moves +10%, -10%, 0%, +10%, -5%: a long 1 BTC perpetual at 60,000 gains/loses 60,000 x simple return.
    private static readonly PriceHistory Small = PriceHistoryCsv.Parse(new StringReader(
        "date,BTC,ETH\n2026-01-01,100,10\n2026-01-02,110,10\n2026-01-03,99,10\n2026-01-04,99,10\n2026-01-05,108.9,10\n2026-01-06,103.455,10\n"));

    private static readonly Portfolio LongPerp = new("a", [new CollateralBalance("USDT", 100_000)], [new Position(TestMarket.BtcUsdt, 1, 60_000)]);

    [Fact]
    public void A_linear_position_loses_its_notional_times_each_historical_return_by_hand()
    {
        var p = new HistoricalSimulationParameters(RiskMeasure.ValueAtRisk, VarConfidence: 0.6, EsConfidence: 0.6, LookbackDays: 5);
        var m = TestParameters.Calculator(new HistoricalSimulationModel(p, Small)).Assess(LongPerp, TestMarket.Build());

        // Losses: -6,000, 6,000, 0, -6,000, 3,000. At 60% the tail is ceil(5 x 0.4) = 2 scenarios:
        // VaR = 2nd worst = 3,000; ES = (6,000 + 3,000) / 2 = 4,500.
        var h = m.Requirement.Historical!;
        Assert.Equal(3_000m, h.VarUsd);
        Assert.Equal(4_500m, h.EsUsd);
        Assert.Equal(3_000m, m.Requirement.InitialMarginUsd);
        Assert.Equal(new DateOnly(2026, 1, 3), h.WorstScenario);
        Assert.Equal(6_000m, h.WorstLossUsd);
        Assert.Equal(2_400m, m.Requirement.MaintenanceMarginUsd);
    }

    [Fact]
    public void Overlapping_windows_sum_consecutive_returns_and_sqrt_time_scales_them()
    {
        var overlapping = HistoricalScenarioSet.Current(Small, new HistoricalSimulationParameters(HorizonDays: 2, Horizon: HorizonMethod.OverlappingWindows, LookbackDays: 5));
        var scaled = HistoricalScenarioSet.Current(Small, new HistoricalSimulationParameters(HorizonDays: 2, LookbackDays: 5));

        // Two-day windows: ln(99/100), ln(99/110), ln(108.9/99), ln(103.455/99), ending on the 3rd to the 6th.
        Assert.Equal(4, overlapping.Count);
        Assert.Equal(Math.Log(99 / 100.0), overlapping.ReturnsOf("BTC")[0], 12);
        Assert.Equal(Math.Log(103.455 / 99), overlapping.ReturnsOf("BTC")[3], 12);
        Assert.Equal(new DateOnly(2026, 1, 3), overlapping.Dates[0]);
        Assert.Equal(5, scaled.Count);
        Assert.Equal(Math.Log(1.1) * Math.Sqrt(2), scaled.ReturnsOf("BTC")[0], 12);
    }

    [Fact]
    public void The_stressed_period_floors_the_measure()
    {
        var history = SyntheticPriceHistory.DemoHistory();
        var calm = new HistoricalSimulationParameters(RiskMeasure.ExpectedShortfall, LookbackDays: 200);
        var floored = calm with { StressedFrom = new DateOnly(2025, 12, 26), StressedTo = new DateOnly(2026, 1, 24) };
        var market = TestMarket.Build();

        var plain = TestParameters.Calculator(new HistoricalSimulationModel(calm, history)).Assess(LongPerp, market);
        var withFloor = TestParameters.Calculator(new HistoricalSimulationModel(floored, history)).Assess(LongPerp, market);

        var h = withFloor.Requirement.Historical!;
        Assert.Equal(plain.Requirement.Historical!.EsUsd, h.EsUsd);
        Assert.Equal(Math.Max(h.EsUsd, h.StressedEsUsd!.Value), withFloor.Requirement.InitialMarginUsd);
        Assert.True(h.StressedEsUsd > h.EsUsd, $"the crash regime ({h.StressedEsUsd}) is worse than the calm lookback ({h.EsUsd})");
    }

    [Fact]
    public void Options_are_fully_revalued_with_Black76_in_each_scenario()
    {
        var market = TestMarket.Build();
        var symbol = TestMarket.LinearOption(OptionKind.Put, 55000);
        var option = (OptionContract)market.GetInstrument(symbol);
        var o = market.OptionInputsOf(symbol);
        var set = HistoricalScenarioSet.Current(Small, new HistoricalSimulationParameters(LookbackDays: 5));

        var pnl = HistoricalSimulationModel.ScenarioPnl(set, [new Holding(option, -2, 0)], market);

        var before = Black76.Price(OptionKind.Put, o.Forward, 55000, o.Years, o.Volatility, 0);
        for (var s = 0; s < set.Count; s++)
        {
            var after = Black76.Price(OptionKind.Put, o.Forward * Math.Exp(set.ReturnsOf("BTC")[s]), 55000, o.Years, o.Volatility, 0);
            Assert.Equal(-2 * (after - before), pnl[s], 9);
        }
    }

    [Fact]
    public void Ewma_filtering_scales_losses_to_the_current_volatility()
    {
        var history = SyntheticPriceHistory.DemoHistory();
        var market = TestMarket.Build();
        var plain = new HistoricalSimulationParameters(RiskMeasure.ValueAtRisk, LookbackDays: 300);
        var filtered = plain with { EwmaLambda = 0.94 };

        var a = new HistoricalSimulationModel(plain, history).Scenarios.ReturnsOf("BTC").ToArray();
        var b = new HistoricalSimulationModel(filtered, history).Scenarios.ReturnsOf("BTC").ToArray();

        var raw = history.LogReturnsOf("BTC");
        var expected = EwmaFilter.Filter(raw, 0.94)[^300..];
        Assert.Equal(raw[^300..], a);
        Assert.Equal(expected, b);
    }

    [Fact]
    public void Same_inputs_give_the_same_bytes()
    {
        var parameters = RiskParametersFile.Load(Path.Combine(Root(), "config", "risk", "all-models.json"));
        var market = TestMarket.Build();
        var portfolio = new Portfolio("a", [new CollateralBalance("USDT", 100_000)],
            [new Position(TestMarket.BtcUsdt, 1, 60_000), new Position(TestMarket.LinearOption(OptionKind.Call, 65000), -3, 0), new Position(TestMarket.EthUsdt, -10, 3_000)]);

        foreach (var model in parameters.AvailableModels)
        {
            var first = MarginReportJson.Write(parameters.CreateCalculator(model).Assess(portfolio, market));
            var second = MarginReportJson.Write(RiskParametersFile.Load(Path.Combine(Root(), "config", "risk", "all-models.json")).CreateCalculator(model).Assess(portfolio, market));
            Assert.Equal(first, second);
        }
    }

    [Fact]
    public void Expected_shortfall_is_never_below_VaR_at_the_same_confidence_for_any_portfolio()
    {
        var market = TestMarket.Build();
        var p = new HistoricalSimulationParameters(RiskMeasure.ExpectedShortfall, VarConfidence: 0.99, EsConfidence: 0.99, LookbackDays: 250, EwmaLambda: 0.94);
        var calculator = TestParameters.Calculator(new HistoricalSimulationModel(p, SyntheticPriceHistory.DemoHistory()));

        PropertyCheck.ForAll(PortfolioGen.Any(market), portfolio =>
        {
            var h = calculator.Assess(portfolio, market).Requirement.Historical;
            if (h is not null)
            {
                Assert.True(h.EsUsd >= h.VarUsd, $"ES {h.EsUsd} < VaR {h.VarUsd}");
            }
        }, cases: 60);
    }

    [Fact]
    public void A_lookback_longer_than_the_history_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new HistoricalSimulationModel(new HistoricalSimulationParameters(LookbackDays: 6), Small));

        Assert.Contains("lookback of 6 days", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_underlying_missing_from_the_history_is_named()
    {
        var btcOnly = PriceHistoryCsv.Parse(new StringReader("date,BTC\n2026-01-01,100\n2026-01-02,110\n2026-01-03,100\n"));
        var calculator = TestParameters.Calculator(new HistoricalSimulationModel(new HistoricalSimulationParameters(LookbackDays: 2), btcOnly));
        var eth = new Portfolio("a", [], [new Position(TestMarket.EthUsdt, 1, 3_000)]);

        var e = Assert.Throws<ArgumentException>(() => calculator.Assess(eth, TestMarket.Build()));

        Assert.Contains("no prices for ETH", e.Message, StringComparison.Ordinal);
    }

    internal static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CrossMargin.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("CrossMargin.sln not found above the test binaries.");
    }
}
