using CrossMargin.Engine.Accounts;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Operations;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Serialization;
using CrossMargin.Risk.Stress;

namespace CrossMargin.Node.Tests.Operations;

/// <summary>The stress over live accounts, on the repository's standard parameters.</summary>
public sealed class StressRunnerTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly Perpetual Perpetual = new("BTCUSDT", "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m);
    private static readonly Future February = new("BTCUSDT-260227", "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m,
        new DateTimeOffset(2026, 2, 27, 8, 0, 0, TimeSpan.Zero));

    /// <summary>
    /// 1,000 USDT, long 2 February futures from 60,000 that expired and await the venue's settlement, and long 0.1 BTCUSDT
    /// from 60,000, with BTC at 61,000: the futures count 2 x 1,000 = 2,000 USDT (their price risk ended at expiry), the
    /// perpetual +100, equity 3,100. BTC -30% moves only the perpetual: 0.1 x (42,700 - 60,000) = -1,730, equity 1,270.
    /// </summary>
    [Fact]
    public void An_account_holding_an_expired_future_that_awaits_its_settlement_is_stressed_with_it_worth_its_settlement_at_the_index()
    {
        var before = new MarketSnapshot(Now, [Perpetual], new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 61_000m, ["USDT"] = 1m },
            [new UnderlyingMarket("BTC", 0)], [new InstrumentMark(Perpetual.Symbol, 61_000m)], [February]);
        var stressed = new MarketShock(new Dictionary<string, double>(StringComparer.Ordinal) { ["BTC"] = -0.30 }).Apply(before);
        var view = new AccountView("a-1", MarginMode.StandardCross, [new CollateralBalance("USDT", 1_000m)],
            [new Position(February.Symbol, 2m, 60_000m), new Position(Perpetual.Symbol, 0.1m, 60_000m)], [], null);
        var standard = RiskParametersFile.Load(Path.Combine(ConfigurationDirectory.Resolve([]), "risk", "standard.json")).CreateCalculator();

        var report = StressRunner.Run(new StressRequest(null, null), before, stressed, [view], new AccountMarginModels(standard, standard), null, "node-1");

        Assert.Empty(report.Failures);
        Assert.Equal(1, report.AccountsEvaluated);
        Assert.Equal(3_100m, standard.Assess(StressRunner.PortfolioOf(view, before), before).EquityUsd);
        Assert.Equal(1_270m, standard.Assess(StressRunner.PortfolioOf(view, before), stressed).EquityUsd);
    }
}
