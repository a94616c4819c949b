using System.Globalization;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// The further pool modes (SIMM-style, VaR, ES, composite) wired to the calculators of config/risk/all-models.json:
/// every expected figure comes from a fresh read of the file and the Risk calculator directly, so these pin the
/// engine's wiring (which calculator a mode uses, in decisions and pre-trade checks), not the models themselves.
/// </summary>
public sealed class MarginModeTests
{
    public static TheoryData<MarginMode> FurtherModes => new(MarginMode.Simm, MarginMode.ValueAtRisk, MarginMode.ExpectedShortfall, MarginMode.Composite);

    private static AccountFixture Open(MarginMode mode) => new(margin: ShippedRiskFiles.Models, mode: mode);

    private static AccountMargin Expected(MarginMode mode, AccountFixture account) =>
        ShippedRiskFiles.LoadAgain().CreateCalculator(ShippedRiskFiles.ModelOf(mode)).Assess(account.State.ToPortfolio(), account.Market);

    private static string Usd(decimal value) => value.ToString("N2", CultureInfo.InvariantCulture) + " USD";

    [Theory]
    [MemberData(nameof(FurtherModes))]
    public void An_account_opened_in_a_further_mode_is_margined_by_that_modes_calculator(MarginMode mode)
    {
        var account = Open(mode);
        account.Deposit("USDT", 200_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 1m, 60_000m);
        account.Trade(TestMarket.EthUsdt, OrderSide.Sell, 10m, 3_000m);
        var call = TestMarket.LinearOption(OptionKind.Call, 65000);
        var (id, source, seq) = account.Next();

        // The decision's own assessment is what the account actor keeps and reports.
        var decision = account.Send(new ApplyExecution(id, source, seq, "x-last", "o-last", call, OrderSide.Sell, 3m,
            account.Market.MarkOf(call).MarkPrice, 0m, Liquidity.Taker, TestMarket.ValuationTime, IsLiquidation: false));
        var expected = Expected(mode, account);

        Assert.Equal(new AccountOpened("open-acc-1", AccountFixture.Accounts, 1, mode), account.Journal[0]);
        Assert.Equal(mode, account.State.Mode);
        Assert.Equal(DecisionOutcome.Accepted, decision.Outcome);
        var actual = decision.MarginAfter!;
        Assert.Equal(expected.Model, actual.Model);
        Assert.Equal((expected.EquityUsd, expected.InitialMarginUsd, expected.MaintenanceMarginUsd, expected.Status),
            (actual.EquityUsd, actual.InitialMarginUsd, actual.MaintenanceMarginUsd, actual.Status));
        // Not what the account would owe in standard mode: a mode wired to the default calculator cannot pass.
        var standard = AccountFixture.Models.StandardCross.Assess(account.State.ToPortfolio(), account.Market);
        Assert.NotEqual(standard.InitialMarginUsd, actual.InitialMarginUsd);
    }

    [Fact]
    public void Switching_from_standard_to_composite_raises_initial_margin_to_the_max_of_the_chosen_models()
    {
        var account = Open(MarginMode.StandardCross);
        account.Deposit("USDT", 200_000m);
        var call = TestMarket.LinearOption(OptionKind.Call, 65000);
        account.Trade(call, OrderSide.Sell, 3m, account.Market.MarkOf(call).MarkPrice);
        var standardIm = account.Assess().InitialMarginUsd;
        var file = ShippedRiskFiles.LoadAgain();
        var components = file.Composite!.Select(name => (Name: name, Im: file.CreateCalculator(name).Assess(account.State.ToPortfolio(), account.Market).InitialMarginUsd)).ToArray();
        var binding = components.MaxBy(c => c.Im);
        var (id, source, seq) = account.Next();

        var decision = account.Send(new ChangeMarginMode(id, source, seq, MarginMode.Composite));

        Assert.Equal(DecisionOutcome.Accepted, decision.Outcome);
        Assert.Equal(new MarginModeChanged(id, source, seq, MarginMode.Composite, null, null), Assert.Single(decision.Events));
        Assert.Equal(MarginMode.Composite, account.State.Mode);
        var after = account.Assess();
        Assert.Equal(binding.Im, after.InitialMarginUsd);
        Assert.True(after.InitialMarginUsd > standardIm, $"composite IM {after.InitialMarginUsd} should exceed standard IM {standardIm}");
        var explanation = after.Requirement.Composite!;
        Assert.Equal(file.Composite, explanation.Components.Select(c => c.Model));
        Assert.Equal(binding.Name, explanation.InitialBinding);
    }

    [Theory]
    [MemberData(nameof(FurtherModes))]
    public void Switching_to_a_further_mode_that_would_breach_is_refused_with_the_numbers_and_accepted_once_covered(MarginMode mode)
    {
        // Long 1 BTCUSDT at the mark on 10,000 USDT: standard IM is 500, every further model asks far more.
        var account = Open(MarginMode.StandardCross);
        account.Deposit("USDT", 10_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 1m, 60_000m);
        var before = account.SnapshotJson();
        var modeIm = Expected(mode, account).InitialMarginUsd;
        var (id, source, seq) = account.Next();

        var refused = account.Send(new ChangeMarginMode(id, source, seq, mode));

        Assert.True(modeIm > 10_000m, $"{mode} IM {modeIm} should exceed the equity");
        Assert.Equal(DecisionOutcome.Rejected, refused.Outcome);
        Assert.Equal(RejectionCode.WouldBreachMargin, refused.Rejection!.Code);
        Assert.Equal($"Switching to {mode} would leave equity 10,000.00 USD below initial margin {Usd(modeIm)}.", refused.Rejection.Message);
        Assert.Equal(before, account.SnapshotJson());
        Assert.Equal(MarginMode.StandardCross, account.State.Mode);

        account.Deposit("USDT", modeIm);
        (id, source, seq) = account.Next();
        account.Accept(new ChangeMarginMode(id, source, seq, mode));
        Assert.Equal(mode, account.State.Mode);
        Assert.Equal(modeIm, account.Assess().InitialMarginUsd);
    }

    [Theory]
    [MemberData(nameof(FurtherModes))]
    public void The_pre_trade_check_margins_with_the_accounts_mode(MarginMode mode)
    {
        var inMode = Open(mode);
        var inStandard = Open(MarginMode.StandardCross);
        inMode.Deposit("USDT", 10_000m);
        inStandard.Deposit("USDT", 10_000m);
        var order = new CheckPreTrade("q-1", TestMarket.BtcUsdt, OrderSide.Buy, 1m, 60_000m);

        var checkedInMode = AccountDecider.CheckPreTrade(inMode.State, order, inMode.Market, inMode.Margin);
        var checkedInStandard = AccountDecider.CheckPreTrade(inStandard.State, order, inStandard.Market, inStandard.Margin);
        inMode.Trade(order.Symbol, order.Side, order.Quantity, order.Price);
        var expected = Expected(mode, inMode);

        // The same order on the same wallet: standard needs 500 and lets it through; the account's own model refuses it.
        Assert.True(checkedInStandard.Accepted);
        Assert.Equal(500m, checkedInStandard.InitialMarginUsd);
        Assert.False(checkedInMode.Accepted);
        Assert.Equal(RejectionCode.WouldBreachMargin, checkedInMode.Rejection!.Code);
        Assert.Equal((expected.EquityUsd, expected.InitialMarginUsd, expected.AvailableMarginUsd),
            (checkedInMode.EquityUsd, checkedInMode.InitialMarginUsd, checkedInMode.AvailableMarginUsd));
        Assert.Contains($"below initial margin {Usd(expected.InitialMarginUsd)}", checkedInMode.Rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mode_the_engine_has_no_calculator_for_is_refused_at_opening_and_at_switching()
    {
        var state = new AccountState("acc-2");
        var market = TestMarket.Build();
        var twoModes = AccountFixture.Models;

        var open = AccountDecider.Decide(state, new OpenAccount("open-2", "accounts", 1, MarginMode.Composite), market, twoModes);
        var account = new AccountFixture();
        var (id, source, seq) = account.Next();
        var change = account.Send(new ChangeMarginMode(id, source, seq, MarginMode.Simm));

        Assert.Equal(RejectionCode.InvalidMessage, open.Rejection!.Code);
        Assert.Equal("Margin mode Composite is not configured on this engine (configured: StandardCross, Portfolio).", open.Rejection.Message);
        Assert.False(state.IsOpen);
        Assert.Equal(RejectionCode.InvalidMessage, change.Rejection!.Code);
        Assert.Equal(MarginMode.StandardCross, account.State.Mode);
        Assert.Equal([MarginMode.StandardCross, MarginMode.Portfolio, MarginMode.Simm, MarginMode.ValueAtRisk, MarginMode.ExpectedShortfall, MarginMode.Composite],
            ShippedRiskFiles.Models.Modes);
    }
}
