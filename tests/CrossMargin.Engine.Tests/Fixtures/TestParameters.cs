using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Margin.Standard;
using CrossMargin.Risk.Market;

namespace CrossMargin.Engine.Tests.Fixtures;

/// <summary>Margin parameters built in code: Binance's 2021 BTCUSDT brackets, a SPAN-like and a Deribit-like array.</summary>
public static class TestParameters
{
    /// <summary>Binance USDⓈ-M BTCUSDT leverage brackets (2021): floor, cap, IMR, MMR, published maintenance amount.</summary>
    public static IReadOnlyList<(decimal Floor, decimal? Cap, decimal InitialRate, decimal MaintenanceRate, decimal? PublishedAmount)> BinanceBtcUsdt2021 { get; } =
    [
        (0m, 50_000m, 0.008m, 0.004m, 0m),
        (50_000m, 250_000m, 0.01m, 0.005m, 50m),
        (250_000m, 1_000_000m, 0.02m, 0.01m, 1_300m),
        (1_000_000m, 10_000_000m, 0.05m, 0.025m, 16_300m),
        (10_000_000m, 20_000_000m, 0.10m, 0.05m, 266_300m),
        (20_000_000m, 50_000_000m, 0.20m, 0.10m, 1_266_300m),
        (50_000_000m, 100_000_000m, 0.25m, 0.125m, 2_516_300m),
        (100_000_000m, 200_000_000m, 0.333m, 0.15m, 5_016_300m),
        (200_000_000m, 300_000_000m, 0.50m, 0.25m, 25_016_300m),
        (300_000_000m, null, 1.00m, 0.50m, 100_016_300m),
    ];

    /// <summary>Deribit's relative vol shock: up 50%, down 25%, scaled by (30/days)^0.30 or ^0.13, up-shocked vol at least 50%.</summary>
    public static VolShockRule DeribitVolShock { get; } = new(Relative: true, Up: 0.50, Down: 0.25, ReferenceDays: 30,
        ShortTermPower: 0.30, LongTermPower: 0.13, MinShockedUpVol: 0.50);

    public static RiskLimitSchedule BinanceSchedule() => new(BinanceBtcUsdt2021);

    public static StandardMarginParameters Standard() =>
        new(new Dictionary<string, RiskLimitSchedule>(StringComparer.Ordinal) { [StandardMarginParameters.DefaultKey] = BinanceSchedule() },
            OptionMarginParameters.Deribit);

    public static StandardMarginModel StandardModel() => new(Standard());

    /// <summary>
    /// CME SPAN's 16-row array: unchanged, ±1/3, ±2/3, ±1 of the price range each with vol up and down, and ±2 ranges
    /// with 35% of the loss counted. BTC range 16%, ETH 20%; absolute vol scan of 10 points; one day look-ahead.
    /// Short option minimum and roll shock are 0: they are charged per gross contract, so an exact offset would still
    /// pay them, and SPAN charges neither inside its scan risk.
    /// </summary>
    public static PortfolioMarginParameters SpanLike(IReadOnlyList<CorrelationOffset>? offsets = null)
    {
        var rows = new List<Scenario>
        {
            new(0, MoveUnit.PriceRange, VolShockDirection.Up, 1),
            new(0, MoveUnit.PriceRange, VolShockDirection.Down, 1),
        };
        foreach (var move in new[] { 1.0 / 3, 2.0 / 3, 1.0 })
        {
            rows.Add(new Scenario(move, MoveUnit.PriceRange, VolShockDirection.Up, 1));
            rows.Add(new Scenario(move, MoveUnit.PriceRange, VolShockDirection.Down, 1));
            rows.Add(new Scenario(-move, MoveUnit.PriceRange, VolShockDirection.Up, 1));
            rows.Add(new Scenario(-move, MoveUnit.PriceRange, VolShockDirection.Down, 1));
        }

        rows.Add(new Scenario(2, MoveUnit.PriceRange, VolShockDirection.None, 0.35));
        rows.Add(new Scenario(-2, MoveUnit.PriceRange, VolShockDirection.None, 0.35));
        var volScan = new VolShockRule(Relative: false, Up: 0.10, Down: 0.10);
        return new PortfolioMarginParameters(
            rows,
            new Dictionary<string, UnderlyingRiskParameters>(StringComparer.Ordinal)
            {
                ["BTC"] = new(0.16, volScan),
                [PortfolioMarginParameters.DefaultKey] = new(0.20, volScan),
            },
            maintenanceFactor: 0.9,
            lookAheadDays: 1,
            offsets: offsets);
    }

    /// <summary>
    /// Deribit-like portfolio margin: moves of ±16% (BTC) / ±20% (ETH) in quarters of the range, each with Deribit's
    /// vol shock up and down; short option minimum 1%, roll shock max(7.5% x years, 1%), MM = 0.8 x IM, sticky moneyness.
    /// </summary>
    public static PortfolioMarginParameters DeribitLike(IReadOnlyList<CorrelationOffset>? offsets = null)
    {
        var rows = new List<Scenario>();
        foreach (var move in new[] { -1.0, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1.0 })
        {
            rows.Add(new Scenario(move, MoveUnit.PriceRange, VolShockDirection.Up, 1));
            rows.Add(new Scenario(move, MoveUnit.PriceRange, VolShockDirection.Down, 1));
        }

        return new PortfolioMarginParameters(
            rows,
            new Dictionary<string, UnderlyingRiskParameters>(StringComparer.Ordinal)
            {
                ["BTC"] = new(0.16, DeribitVolShock, ShortOptionMinimum: 0.01, AnnualisedMoveRisk: 0.075, MinAnnualisedMove: 0.01),
                [PortfolioMarginParameters.DefaultKey] = new(0.20, DeribitVolShock, ShortOptionMinimum: 0.01, AnnualisedMoveRisk: 0.075, MinAnnualisedMove: 0.01),
            },
            maintenanceFactor: 0.8,
            volatilityDynamics: VolatilityDynamics.StickyMoneyness,
            offsets: offsets);
    }

    /// <summary>Stablecoins at full value; BTC 5% up to $1M, 10% to $5M, 20% beyond; ETH 10%. USD has no rule.</summary>
    public static CollateralSchedule Collateral() => new(
    [
        new CollateralRule("USDT", [new HaircutTier(null, 0m)]),
        new CollateralRule("USDC", [new HaircutTier(null, 0m)]),
        new CollateralRule("BTC", [new HaircutTier(1_000_000m, 0.05m), new HaircutTier(5_000_000m, 0.10m), new HaircutTier(null, 0.20m)]),
        new CollateralRule("ETH", [new HaircutTier(null, 0.10m)]),
    ]);

    public static MarginCalculator Calculator(IMarginModel crossModel) => new(crossModel, StandardModel(), Collateral());

    public static MarginCalculator StandardCalculator() => Calculator(StandardModel());

    public static MarginCalculator SpanCalculator() => Calculator(new ScenarioMarginModel(SpanLike()));

    public static MarginCalculator DeribitCalculator() => Calculator(new ScenarioMarginModel(DeribitLike()));
}
