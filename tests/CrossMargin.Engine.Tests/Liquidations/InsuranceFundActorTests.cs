using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>The insurance fund actor on its own: deposits, fees, covers, deduplication, replay.</summary>
public sealed class InsuranceFundActorTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    /// <summary>
    /// 1,000 USDT and 0.01 BTC (at 60,000: 600 USD) plus a 5 USDT fee. A deficit of 1,200 USD is paid in ordinal order of
    /// the asset: BTC first, all of it (600), then USDT 600 of its 1,005; nothing uncovered; 405 USDT left.
    /// </summary>
    [Fact]
    public void A_cover_pays_in_asset_order_and_a_repeated_request_is_answered_without_paying_twice_even_after_a_restart()
    {
        Fund.Tell(new DepositToInsuranceFund("d1", "USDT", 1_000m), TestActor);
        Fund.Tell(new DepositToInsuranceFund("d2", "BTC", 0.01m), TestActor);
        Fund.Tell(new CollectLiquidationFee("f1", "liq-a-1", "a", Btc, "USDT", 5m, 5m), TestActor);
        ReceiveN(3);

        Fund.Tell(new CoverLiquidationDeficit("c1", "liq-a-1", "a", 1_200m), TestActor);
        var covered = ExpectMsg<LiquidationDeficitCovered>();
        Assert.Equal((1_200m, 0m), (covered.CoveredUsd, covered.UncoveredUsd));
        Assert.Equal([new InsuranceFundPayment("BTC", 0.01m, 600m), new InsuranceFundPayment("USDT", 600m, 600m)], covered.Payments);

        Watch(Fund);
        Sys.Stop(Fund);
        ExpectTerminated(Fund);
        var again = Sys.ActorOf(InsuranceFundActor.Props(Services, Market));
        again.Tell(new CoverLiquidationDeficit("c1", "liq-a-1", "a", 1_200m), TestActor);

        var repeated = ExpectMsg<LiquidationDeficitCovered>();
        Assert.Equal((covered.RequestId, covered.CoveredUsd, covered.UncoveredUsd, covered.Time), (repeated.RequestId, repeated.CoveredUsd, repeated.UncoveredUsd, repeated.Time));
        Assert.Equal(covered.Payments, repeated.Payments);
        again.Tell(GetInsuranceFund.Instance, TestActor);
        var view = ExpectMsg<InsuranceFundView>();
        Assert.Equal(0m, view.Balances["BTC"]);
        Assert.Equal(405m, view.Balances["USDT"]);
        Assert.Equal(405m, view.ValueUsd);
        Assert.Equal(TestMarket.ValuationTime, view.ValuationTime);
        Assert.Equal(
            [InsuranceFundMovementKind.Deposited, InsuranceFundMovementKind.Deposited, InsuranceFundMovementKind.FeeCollected,
                InsuranceFundMovementKind.DeficitCovered, InsuranceFundMovementKind.DeficitCovered],
            view.History.Select(h => h.Kind));
    }

    [Fact]
    public void A_deposit_of_an_unpriced_asset_or_of_nothing_is_refused_and_changes_nothing()
    {
        Fund.Tell(new DepositToInsuranceFund("d1", "DOGE", 5m), TestActor);
        Assert.Equal(new InsuranceFundRejected("d1", "Asset DOGE is not priced by the market."), ExpectMsg<InsuranceFundRejected>());
        Fund.Tell(new DepositToInsuranceFund("d2", "USDT", 0m), TestActor);
        Assert.Equal(new InsuranceFundRejected("d2", "The amount of USDT must be positive, not 0."), ExpectMsg<InsuranceFundRejected>());

        Assert.Empty(FundView().History);
    }

    /// <summary>
    /// The fund's balances are held to the ledger's unit (1e-8) like an account's: a cover paid from a finer balance would
    /// carry the residue into the covered account. Trailing zeros are no finer.
    /// </summary>
    [Fact]
    public void A_deposit_finer_than_the_ledger_unit_is_refused_as_an_invalid_amount_and_changes_nothing()
    {
        Fund.Tell(new DepositToInsuranceFund("d1", "USDT", 250.000000000000000000000001m), TestActor);
        var refused = ExpectMsg<InsuranceFundRejected>();
        Fund.Tell(new DepositToInsuranceFund("d2", "USDT", 250.123456780000m), TestActor);
        ExpectMsg<InsuranceFundDeposited>();

        Assert.Equal(RejectionCode.InvalidAmount, refused.Code);
        Assert.Contains("250.000000000000000000000001", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(250.12345678m, FundView().Balances["USDT"]);
    }
}
