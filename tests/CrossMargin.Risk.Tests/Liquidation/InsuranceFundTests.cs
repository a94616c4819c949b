using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Liquidation;

/// <summary>The insurance fund's ledger, with BTC at 60,000 and USDT at 1.</summary>
public class InsuranceFundTests
{
    private static readonly DateTimeOffset Time = TestMarket.ValuationTime;

    private static InsuranceFund Fund() =>
        new(new Dictionary<string, decimal>(StringComparer.Ordinal) { ["USDT"] = 500m, ["BTC"] = 0.01m });

    [Fact]
    public void A_deficit_within_the_fund_is_covered_from_the_assets_in_ordinal_order()
    {
        // BTC first: 0.01 x 60,000 = 600, all of it; then USDT 400 of 500.
        var coverage = Fund().Cover(1_000m, TestMarket.Build(), "acc-1", "liq-1", Time);

        Assert.Equal((1_000m, 0m), (coverage.CoveredUsd, coverage.UncoveredUsd));
        Assert.Equal([("BTC", 0.01m), ("USDT", 400m)], coverage.Payments);
        Assert.Equal((0m, 100m), (coverage.Fund.BalanceOf("BTC"), coverage.Fund.BalanceOf("USDT")));
        Assert.All(coverage.Fund.History, e => Assert.Equal(InsuranceFundEntryKind.DeficitCovered, e.Kind));
    }

    [Fact]
    public void Given_the_accounts_collateral_rules_a_deficit_is_covered_first_in_the_asset_they_haircut_least()
    {
        // USDT counts in full, BTC with 5% off: paid in BTC (ordinal order), 1,000 USD of cover would add only 950 to the
        // account's collateral value, and the next cover would make up the 50 that the account then keeps.
        var rules = new CollateralSchedule([new CollateralRule("USDT", [new HaircutTier(null, 0m)]), new CollateralRule("BTC", [new HaircutTier(null, 0.05m)])]);
        var fund = new InsuranceFund(new Dictionary<string, decimal>(StringComparer.Ordinal) { ["USDT"] = 800m, ["BTC"] = 0.01m });

        var coverage = fund.Cover(1_000m, TestMarket.Build(), "acc-1", "liq-1", Time, rules);

        Assert.Equal((1_000m, 0m), (coverage.CoveredUsd, coverage.UncoveredUsd));
        Assert.Equal([("USDT", 800m), ("BTC", 0.00333334m)], coverage.Payments);
    }

    [Fact]
    public void Given_the_accounts_holdings_a_deficit_is_covered_first_in_the_asset_whose_next_unit_it_haircuts_least()
    {
        // The tiers apply to the account's whole holding of an asset: holding 20 BTC (1,200,000 USD), its next BTC is in
        // the 10% tier, its first ETH in the 7.5% one. Ordered by first tiers (BTC 5%), 1,000 USD paid in BTC would add
        // 900 to its collateral value; paid in ETH (at 3,000) it adds 925.
        var rules = new CollateralSchedule(
        [
            new CollateralRule("BTC", [new HaircutTier(1_000_000m, 0.05m), new HaircutTier(null, 0.10m)]),
            new CollateralRule("ETH", [new HaircutTier(500_000m, 0.075m), new HaircutTier(null, 0.15m)]),
        ]);
        var fund = new InsuranceFund(new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 0.1m, ["ETH"] = 2m });

        var coverage = fund.Cover(1_000m, TestMarket.Build(), "acc-1", "liq-1", Time, rules, [new CollateralBalance("BTC", 20m)]);

        Assert.Equal([("ETH", 0.33333334m)], coverage.Payments);
    }

    [Fact]
    public void Given_the_accounts_holdings_a_deficit_is_covered_first_in_an_asset_it_owes()
    {
        // The account owes 0.5 BTC (an inverse contract's loss): a BTC cover repays it at full value, as USDT would count,
        // and leaves no debt in a coin whose rise would make the account bankrupt again.
        var rules = new CollateralSchedule([new CollateralRule("USDT", [new HaircutTier(null, 0m)]), new CollateralRule("BTC", [new HaircutTier(null, 0.05m)])]);
        var fund = new InsuranceFund(new Dictionary<string, decimal>(StringComparer.Ordinal) { ["USDT"] = 800m, ["BTC"] = 0.1m });

        var coverage = fund.Cover(1_000m, TestMarket.Build(), "acc-1", "liq-1", Time, rules, [new CollateralBalance("BTC", -0.5m)]);

        Assert.Equal([("BTC", 0.01666667m)], coverage.Payments);
    }

    [Fact]
    public void Given_the_accounts_collateral_rules_a_deficit_is_never_covered_in_an_asset_they_do_not_count()
    {
        // BTC counts for nothing in this account (no rule, or a 100% haircut): paying in it would cover nothing, so the
        // remainder is left to auto-deleveraging instead of draining the fund's BTC for no effect.
        foreach (var rules in new[]
                 {
                     new CollateralSchedule([new CollateralRule("USDT", [new HaircutTier(null, 0m)])]),
                     new CollateralSchedule([new CollateralRule("USDT", [new HaircutTier(null, 0m)]), new CollateralRule("BTC", [new HaircutTier(null, 1m)])]),
                 })
        {
            var coverage = Fund().Cover(1_000m, TestMarket.Build(), "acc-1", "liq-1", Time, rules);

            Assert.Equal((500m, 500m), (coverage.CoveredUsd, coverage.UncoveredUsd));
            Assert.Equal([("USDT", 500m)], coverage.Payments);
            Assert.Equal(0.01m, coverage.Fund.BalanceOf("BTC"));
        }
    }

    [Fact]
    public void A_deficit_beyond_the_fund_is_covered_partially_and_the_remainder_triggers_auto_deleveraging()
    {
        // 600 + 500 = 1,100 covered of 1,500; 400 uncovered; the fund is empty but never negative.
        var fund = Fund();
        var coverage = fund.Cover(1_500m, TestMarket.Build(), "acc-1", "liq-1", Time);

        Assert.Equal((1_100m, 400m), (coverage.CoveredUsd, coverage.UncoveredUsd));
        Assert.Equal((0m, 0m), (coverage.Fund.BalanceOf("BTC"), coverage.Fund.BalanceOf("USDT")));
        var last = coverage.Fund.History[^1];
        Assert.Equal(new InsuranceFundEntry(InsuranceFundEntryKind.AutoDeleverageTriggered, "USD", 400m, 400m, "acc-1", "liq-1", Time), last);
        // The original is untouched.
        Assert.Equal(500m, fund.BalanceOf("USDT"));
        Assert.Empty(fund.History);
    }

    [Fact]
    public void A_partial_payment_in_a_coin_is_rounded_up_to_the_satoshi_against_the_fund()
    {
        // 100 USD at 60,000 = 0.0016666... BTC -> 0.00166667 BTC paid, covering exactly 100.
        var fund = new InsuranceFund(new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 1m });
        var coverage = fund.Cover(100m, TestMarket.Build(), "acc-1", "liq-1", Time);

        Assert.Equal((100m, 0m), (coverage.CoveredUsd, coverage.UncoveredUsd));
        Assert.Equal(0.99833333m, coverage.Fund.BalanceOf("BTC"));
    }

    [Fact]
    public void Fees_are_collected_into_their_settlement_asset_and_valued_in_usd()
    {
        var fee = new LiquidationFee("BTC-PERPETUAL", "BTC", 0.001m, 60.00m, 60.00m);
        var fund = InsuranceFund.Empty.CollectFee(fee, "acc-1", "liq-1", Time);

        Assert.Equal(0.001m, fund.BalanceOf("BTC"));
        Assert.Equal(60m, fund.ValueUsd(TestMarket.Build())); // 0.001 x 60,000
        Assert.Equal(new InsuranceFundEntry(InsuranceFundEntryKind.FeeCollected, "BTC", 0.001m, 60.00m, "acc-1", "liq-1", Time), Assert.Single(fund.History));
    }

    [Fact]
    public void Negative_balances_and_deficits_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InsuranceFund(new Dictionary<string, decimal> { ["USDT"] = -1m }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Fund().Cover(-1m, TestMarket.Build(), "acc-1", "liq-1", Time));
    }

    [Fact]
    public void Fund_balances_never_go_negative_and_covered_plus_uncovered_is_the_deficit()
    {
        var market = TestMarket.Build();
        var gen = from usdt in Gen.Choose(0, 100_000)
                  from sats in Gen.Choose(0, 10_000_000)
                  from deficit in Gen.Choose(0, 1_000_000)
                  select (usdt, sats, deficit);
        PropertyCheck.ForAll(gen, c =>
        {
            var fund = new InsuranceFund(new Dictionary<string, decimal>(StringComparer.Ordinal) { ["USDT"] = c.usdt, ["BTC"] = c.sats * 0.00000001m });
            var coverage = fund.Cover(c.deficit / 100m, market, "a", "l", Time);
            Assert.All(coverage.Fund.Balances.Values, b => Assert.True(b >= 0));
            Assert.Equal(c.deficit / 100m, coverage.CoveredUsd + coverage.UncoveredUsd);
            Assert.True(coverage.UncoveredUsd >= 0);
            Assert.True(coverage.UncoveredUsd == 0 || coverage.Fund.ValueUsd(market) == 0, "uncovered while the fund still has value");
        });
    }
}
