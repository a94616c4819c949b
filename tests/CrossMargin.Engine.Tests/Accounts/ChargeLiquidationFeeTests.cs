using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>The liquidation fee command: it debits the wallet exactly, is persisted as its own event, and refuses nonsense.</summary>
public sealed class ChargeLiquidationFeeTests
{
    [Fact]
    public void A_liquidation_fee_debits_the_wallet_by_its_amount()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 1_000m);

        account.Accept(new ChargeLiquidationFee("fee-1", "liquidation", 1, "liq-acc-1-1", "USDT", 11.84m));

        // 1,000 - 11.84 = 988.16.
        Assert.Equal(988.16m, account.State.BalanceOf("USDT"));
        Assert.Equal(new LiquidationFeeCharged("fee-1", "liquidation", 1, "liq-acc-1-1", "USDT", 11.84m), account.Journal[^1]);
    }

    [Fact]
    public void A_liquidation_fee_of_nothing_or_without_a_liquidation_is_refused()
    {
        var account = new AccountFixture();

        var zero = account.Send(new ChargeLiquidationFee("fee-1", "liquidation", 1, "liq-acc-1-1", "USDT", 0m));
        var anonymous = account.Send(new ChargeLiquidationFee("fee-2", "liquidation", 2, " ", "USDT", 1m));

        Assert.Equal(RejectionCode.InvalidAmount, zero.Rejection!.Code);
        Assert.Equal(RejectionCode.InvalidMessage, anonymous.Rejection!.Code);
    }

    [Fact]
    public void The_fee_event_round_trips_through_the_registry()
    {
        var charged = new LiquidationFeeCharged("fee-1", "liquidation", 1, "liq-acc-1-1", "USDT", 11.84000001m);

        Assert.Equal(charged, AccountFixture.Registry.Deserialize(AccountFixture.Registry.Serialize(charged)));
    }
}
