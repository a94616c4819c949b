using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Accounts;

public sealed class AccountOpeningTests
{
    private static readonly AccountMarginModels Models = AccountFixture.Models;

    [Fact]
    public void Every_message_to_an_account_that_was_never_opened_is_refused_and_nothing_is_recorded()
    {
        var state = new AccountState("acc-typo");
        var market = TestMarket.Build();

        var decision = AccountDecider.Decide(state, new Deposit("d1", "wallet", 1, "USDT", 100m), market, Models);
        var check = AccountDecider.CheckPreTrade(state, new CheckPreTrade("q1", TestMarket.BtcUsdt, OrderSide.Buy, 1m, 60_000m), market, Models);

        Assert.Equal(RejectionCode.UnknownAccount, decision.Rejection!.Code);
        Assert.Equal("Account acc-typo is not open; an accountOpened message opens it.", decision.Rejection.Message);
        Assert.False(check.Accepted);
        Assert.Equal(RejectionCode.UnknownAccount, check.Rejection!.Code);
        Assert.Equal(MessageVerdict.Accepted, state.Messages.Check("d1", "wallet", 1).Verdict);
    }

    [Fact]
    public void Opening_sets_the_mode_a_redelivery_is_a_duplicate_and_a_second_opening_is_refused()
    {
        var state = new AccountState("acc-1");
        var market = TestMarket.Build();
        var open = new OpenAccount("open-1", "accounts", 1, MarginMode.Portfolio);

        var opened = AccountDecider.Decide(state, open, market, Models);
        foreach (var @event in opened.Events)
        {
            state.Apply(@event, market.FindInstrument);
        }

        Assert.Equal(new AccountOpened("open-1", "accounts", 1, MarginMode.Portfolio), Assert.Single(opened.Events));
        Assert.True(state.IsOpen);
        Assert.Equal(MarginMode.Portfolio, state.Mode);
        Assert.Equal(DecisionOutcome.Duplicate, AccountDecider.Decide(state, open, market, Models).Outcome);
        Assert.Equal(RejectionCode.AccountAlreadyOpen,
            AccountDecider.Decide(state, new OpenAccount("open-2", "accounts", 2), market, Models).Rejection!.Code);
        Assert.True(AccountState.FromSnapshot(state.ToSnapshot()).IsOpen);
    }
}
