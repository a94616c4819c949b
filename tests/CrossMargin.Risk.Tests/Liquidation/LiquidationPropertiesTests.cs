using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using FsCheck;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Liquidation;

/// <summary>
/// Properties of any plan. Generated portfolios are re-funded in USDT so that their equity is a random fraction
/// (0 to 1.2) of their maintenance margin: most are in liquidation, some just above the stop.
/// </summary>
public class LiquidationPropertiesTests
{
    private static readonly MarketSnapshot Market = TestMarket.Build();

    private static readonly LiquidationParameters Parameters =
        new(0.05m, 0.3m, 0.005m, 0.02m, defaultLiquidityBudget: 5m,
            quantityIncrements: new Dictionary<string, decimal>(StringComparer.Ordinal) { [TestMarket.BtcInversePerp] = 100m, [TestMarket.EthUsdt] = 1m });

    public static TheoryData<string> Models => ["standard", "deribit"];

    private static Gen<(Portfolio Portfolio, Dictionary<string, decimal> Budget)> InLiquidation(MarginCalculator calculator, bool options) =>
        from portfolio in PortfolioGen.Any(Market, withOrders: false)
        from level in Gen.Choose(0, 120)
        from budgets in Gen.ArrayOf(Gen.Choose(0, 100), 6)
        select Fund(calculator, options ? portfolio : WithoutOptions(portfolio), level / 100m, budgets);

    private static Portfolio WithoutOptions(Portfolio portfolio) => new(
        portfolio.AccountId, portfolio.Balances,
        portfolio.Positions.Where(p => Market.GetInstrument(p.Symbol) is not OptionContract));

    private static (Portfolio, Dictionary<string, decimal>) Fund(MarginCalculator calculator, Portfolio portfolio, decimal level, int[] budgets)
    {
        var margin = calculator.Assess(portfolio, Market);
        var usdt = portfolio.Balances.Single(b => b.Asset == "USDT").Amount + (margin.MaintenanceMarginUsd * level) - margin.EquityUsd;
        var funded = new Portfolio(portfolio.AccountId,
            portfolio.Balances.Select(b => b.Asset == "USDT" ? b with { Amount = usdt } : b), portfolio.Positions);
        var budget = portfolio.Positions.Select((p, k) => (p.Symbol, Budget: budgets[k % budgets.Length] / 10m))
            .ToDictionary(x => x.Symbol, x => x.Budget, StringComparer.Ordinal);
        return (funded, budget);
    }

    private static MarginCalculator CalculatorFor(string model) =>
        model == "standard" ? TestParameters.StandardCalculator() : TestParameters.DeribitCalculator();

    [Theory]
    [MemberData(nameof(Models))]
    public void Orders_only_reduce_never_flip_or_grow_and_stay_within_budget_band_and_tick(string model)
    {
        var calculator = CalculatorFor(model);
        var withOrders = 0;
        PropertyCheck.ForAll(InLiquidation(calculator, options: true), c =>
        {
            var plan = LiquidationPlanner.NextStep(c.Portfolio, Market, calculator, Parameters, c.Budget);
            withOrders += plan.Orders.Count > 0 ? 1 : 0;
            Assert.Equal(plan.Orders.Count, plan.Orders.Select(o => o.Symbol).Distinct().Count());
            foreach (var order in plan.Orders)
            {
                var position = c.Portfolio.Positions.Single(p => p.Symbol == order.Symbol);
                var instrument = Market.GetInstrument(order.Symbol);
                var mark = Market.MarkOf(order.Symbol).MarkPrice;
                Assert.True(order.Quantity > 0 && order.Quantity <= Math.Abs(position.Quantity), $"{order} against {position}");
                Assert.Equal(position.Quantity > 0 ? OrderSide.Sell : OrderSide.Buy, order.Side);
                Assert.True(order.Quantity <= c.Budget[order.Symbol], $"{order} over budget {c.Budget[order.Symbol]}");
                Assert.Equal(0m, order.LimitPrice % instrument.TickSize);
                Assert.InRange(order.LimitPrice, Math.Min(mark * 0.98m, mark) - instrument.TickSize, Math.Max(mark * 1.02m, mark) + instrument.TickSize);
                Assert.True(order.Side == OrderSide.Sell ? order.LimitPrice >= mark * 0.98m : order.LimitPrice <= mark * 1.02m);
            }
        }, cases: 60);

        // The generator must actually produce liquidations, or the property proves nothing.
        Assert.True(withOrders >= 20, $"only {withOrders} of 60 plans had orders");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Fees_never_take_more_than_the_equity_above_bankruptcy(string model)
    {
        var calculator = CalculatorFor(model);
        PropertyCheck.ForAll(InLiquidation(calculator, options: true), c =>
        {
            var plan = LiquidationPlanner.NextStep(c.Portfolio, Market, calculator, Parameters, c.Budget);
            Assert.True(plan.TotalFeeUsd <= Math.Max(0m, plan.Before.EquityUsd), $"fees {plan.TotalFeeUsd} > equity {plan.Before.EquityUsd}");
            Assert.All(plan.Orders, o => Assert.True(o.Fee.Amount * Market.PriceOf(o.Fee.Asset) <= o.Fee.AmountUsd));
        }, cases: 60);
    }

    [Fact]
    public void A_fee_never_exceeds_the_rate_nor_the_equity_left()
    {
        var instrument = Market.GetInstrument(TestMarket.BtcInversePerp);
        var gen = from quantity in Gen.Choose(0, 100_000)
                  from equity in Gen.Choose(-10_000, 10_000)
                  from bps in Gen.Choose(0, 100)
                  select (quantity, equity, bps);
        PropertyCheck.ForAll(gen, c =>
        {
            var fee = LiquidationFee.Compute(instrument, c.quantity, Market, c.bps / 10_000m, c.equity);
            Assert.InRange(fee.AmountUsd, 0m, Math.Max(0m, c.equity));
            Assert.True(fee.AmountUsd <= fee.UncappedUsd);
            Assert.True(fee.Amount * Market.PriceOf("BTC") <= fee.AmountUsd);
        });
    }

    [Fact]
    public void Without_options_a_standard_margin_step_never_increases_maintenance_margin()
    {
        var calculator = TestParameters.StandardCalculator();
        PropertyCheck.ForAll(InLiquidation(calculator, options: false), c =>
        {
            var plan = LiquidationPlanner.NextStep(c.Portfolio, Market, calculator, Parameters, c.Budget);
            Assert.True(plan.ExpectedAfter.MaintenanceMarginUsd <= plan.Before.MaintenanceMarginUsd,
                $"MM {plan.Before.MaintenanceMarginUsd} -> {plan.ExpectedAfter.MaintenanceMarginUsd}");
            if (plan.Outcome == LiquidationPlanOutcome.Orders)
            {
                Assert.True(plan.ExpectedAfter.MaintenanceMarginUsd < plan.Before.MaintenanceMarginUsd);
            }
        }, cases: 80);
    }

    [Fact]
    public void Planning_is_deterministic()
    {
        var calculator = TestParameters.DeribitCalculator();
        PropertyCheck.ForAll(InLiquidation(calculator, options: true), c =>
        {
            var first = LiquidationPlanner.NextStep(c.Portfolio, Market, calculator, Parameters, c.Budget);
            var second = LiquidationPlanner.NextStep(c.Portfolio, Market, calculator, Parameters, c.Budget);
            Assert.Equal(first.Reason, second.Reason);
            Assert.Equal(first.Orders, second.Orders);
        }, cases: 30);
    }
}
