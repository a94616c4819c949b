using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// The settled form of a fill (an operator's rebooking of an auto-deleverage reversal in an expired instrument) at an
/// account settled before the venue's settlement price was kept per account, restored from a snapshot of then: the
/// account does not know the price it was settled at, and nothing else in the cluster records it (the instrument catalog
/// has no settlement price, the venue sends it to each account alone, the coordinator and the price actor never see it).
/// </summary>
public sealed class SettledFormFallbackTests
{
    private const string March = TestMarket.BtcMarchFuture;

    /// <summary>
    /// 10,000 USDT, long 1 March future at 60,300, settled at 61,000 (+700: 10,700 USDT, flat), restored from a snapshot
    /// that holds the symbol alone. A forced buy of 1 at 59,000 in its settled form at 61,500 (0.8 % from the index 61,000),
    /// unconfirmed, is refused invalidPrice saying the price cannot be checked and how to confirm it: before, it was
    /// booked, 61,500 - 59,000 = +2,500, 13,200 USDT, 500 more than the venue's settlement pays (a typo booking money to
    /// nobody). Confirmed at 75,000 (23 % from the index) it is still refused: the confirmation lifts the need for a
    /// record, not the check against the index. Confirmed at 61,000: booked, 61,000 - 59,000 = +2,000, 12,700 USDT, flat.
    /// </summary>
    [Fact]
    public void A_settled_form_at_an_account_that_does_not_know_its_settlement_price_is_booked_only_at_a_price_the_operator_confirms()
    {
        var market = ExpiredMarket.March(61_000m);
        var state = SettledAt61000WithThePriceUnknown(market);

        var unconfirmed = Decide(state, SettledFill(61_500m), market);
        var afterUnconfirmed = state.BalanceOf("USDT");
        var tooFar = Decide(state, SettledFill(75_000m) with { SettlementPriceConfirmed = true }, market);
        var confirmed = Decide(state, SettledFill(61_000m) with { SettlementPriceConfirmed = true }, market);

        Assert.Equal((RejectionCode.InvalidPrice,
            $"Execution r-adl: this account was settled for {March} before settlement prices were kept, and nothing in the cluster records the venue's: "
            + "a fill in its settled form at 61500 is booked only once an operator confirms that price as the venue's "
            + "(confirmUnverified: cm liquidations rebook ID ROUND COUNTERPARTY --settlement-price P --confirm-unverified)."),
            (unconfirmed.Rejection?.Code, unconfirmed.Rejection?.Message));
        Assert.Equal(10_700m, afterUnconfirmed);
        Assert.Equal(RejectionCode.InvalidPrice, tooFar.Rejection?.Code);
        Assert.Contains("more than 20% away from the index 61000", tooFar.Rejection?.Message, StringComparison.Ordinal);
        Assert.Equal(DecisionOutcome.Accepted, confirmed.Outcome);
        Assert.Equal(61_000m, Assert.IsType<SettledExecutionApplied>(Assert.Single(confirmed.Events)).SettlementPrice);
        Assert.Empty(state.Positions);
        Assert.Equal(12_700m, state.BalanceOf("USDT"));
    }

    /// <summary>
    /// Where the account keeps the venue's price (61,000), the confirmation changes nothing: at 61,500 confirmed, refused
    /// naming 61,000.
    /// </summary>
    [Fact]
    public void A_confirmation_does_not_book_a_settled_form_away_from_the_price_the_account_kept()
    {
        var market = ExpiredMarket.March(61_000m);
        var state = SettledAt61000(market);

        var decision = Decide(state, SettledFill(61_500m) with { SettlementPriceConfirmed = true }, market);

        Assert.Equal((RejectionCode.InvalidPrice, $"Execution r-adl: the venue settled this account for {March} at 61000; a fill in its settled form is settled at that price, not at 61500."),
            (decision.Rejection?.Code, decision.Rejection?.Message));
        Assert.Equal(10_700m, state.BalanceOf("USDT"));
    }

    /// <summary>10,000 USDT, long 1 March future at 60,300, settled at 61,000 in <paramref name="expired"/>: 10,700 USDT, flat.</summary>
    private static AccountState SettledAt61000(MarketSnapshot expired)
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 10_000m);
        account.Trade(March, OrderSide.Buy, 1m, 60_300m);
        Assert.Equal(DecisionOutcome.Accepted, Decide(account.State, new SettleExpiry("r-settle", "settlement", 1, March, 61_000m), expired).Outcome);
        Assert.Equal(10_700m, account.State.BalanceOf("USDT"));
        return account.State;
    }

    /// <summary>As <see cref="SettledAt61000"/>, restored from a snapshot written before the price was kept (the symbol alone).</summary>
    private static AccountState SettledAt61000WithThePriceUnknown(MarketSnapshot expired)
    {
        var older = AccountState.FromSnapshot(SettledAt61000(expired).ToSnapshot() with { SettledAt = null });
        Assert.Null(older.SettledAt(March));
        return older;
    }

    /// <summary>A forced buy of 1 March future at 59,000, executed the day before the expiry, in its settled form at <paramref name="settlementPrice"/>.</summary>
    private static ApplyExecution SettledFill(decimal settlementPrice) =>
        new("r-adl", LiquidationCoordinator.AdlSource, 1, "r-adl", "o-r-adl", March, OrderSide.Buy, 1m, 59_000m, 0m, Liquidity.Taker, TestMarket.March.AddDays(-1),
            IsLiquidation: true, SettlementPrice: settlementPrice);

    /// <summary>Decides <paramref name="command"/> on <paramref name="state"/> and applies what it accepts, as the account's actor does.</summary>
    private static AccountDecision Decide(AccountState state, IAccountCommand command, MarketSnapshot market)
    {
        var decision = AccountDecider.Decide(state, command, market, AccountFixture.Models);
        foreach (var @event in decision.Events)
        {
            state.Apply(@event, symbol => market.FindInstrument(symbol) ?? market.FindExpired(symbol));
        }

        return decision;
    }
}
