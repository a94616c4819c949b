using System.Text;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Tests.Liquidations;

public sealed class LiquidationEventsTests
{
    private static readonly EventTypeRegistry Registry = LiquidationEvents.Register(AccountEvents.Register(new EventTypeRegistry()));

    [Fact]
    public void A_completion_journalled_before_market_times_were_recorded_reads_back_without_one()
    {
        // The payload as version 1 of the event wrote it, before it carried the market time.
        var old = new SerializedPayload("liquidation.completed", LiquidationEvents.Version,
            Encoding.UTF8.GetBytes("""{"liquidationId":"liq-acc-1-1","reason":"done","time":"2026-03-02T08:00:05+00:00"}"""));

        var completed = Registry.Deserialize<LiquidationCompleted>(old);

        Assert.Equal(new LiquidationCompleted("liq-acc-1-1", "done", new DateTimeOffset(2026, 3, 2, 8, 0, 5, TimeSpan.Zero)), completed);
        Assert.Null(completed.MarketTime);
    }

    [Fact]
    public void A_completion_keeps_its_market_time_through_the_journal()
    {
        var completed = new LiquidationCompleted("liq-acc-1-1", "done", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero));

        Assert.Equal(completed, Registry.Deserialize<LiquidationCompleted>(Registry.Serialize(completed)));
    }

    [Fact]
    public void A_step_journalled_before_take_overs_reads_back_with_none_and_its_orders_without_a_bound()
    {
        // The payload as the event was written before it carried the take-over flag and its orders their loss bounds.
        var old = new SerializedPayload("liquidation.step-planned", LiquidationEvents.Version, Encoding.UTF8.GetBytes("""
            {"liquidationId":"liq-acc-1-1","step":1,"outcome":"Orders","reason":"r","equityUsd":20,"maintenanceMarginUsd":23.6,
             "orders":[{"orderId":"liq-acc-1-1-s1-1","symbol":"BTCUSDT","side":"Sell","quantity":0.1,"limitPrice":57820,"feeAsset":"USDT",
             "feeAmount":5.9,"feeUsd":5.9}],"time":"2026-03-02T08:00:05+00:00"}
            """));

        var planned = Registry.Deserialize<LiquidationStepPlanned>(old);

        Assert.False(planned.TakeOverIfUnfilled);
        Assert.Null(Assert.Single(planned.Orders).Bound);
        Assert.Equal(57_820m, planned.Orders[0].LimitPrice);
    }

    [Fact]
    public void A_bounded_step_keeps_its_take_over_flag_and_its_orders_bounds_through_the_journal()
    {
        var planned = new LiquidationStepPlanned("liq-acc-1-1", 1, LiquidationPlanOutcome.Orders, "r", 20m, 23.6m,
            [new IssuedLiquidationOrder("liq-acc-1-1-s1-1", "BTCUSDT", OrderSide.Sell, 0.1m, 58_300m, "USDT", 5.9m, 5.9m, new LiquidationLossBound(59_000m, 20m, 50m))],
            new DateTimeOffset(2026, 3, 2, 8, 0, 5, TimeSpan.Zero), TakeOverIfUnfilled: true);

        var read = Registry.Deserialize<LiquidationStepPlanned>(Registry.Serialize(planned));

        Assert.True(read.TakeOverIfUnfilled);
        Assert.Equal(planned.Orders, read.Orders);
    }

    [Fact]
    public void An_auto_deleverage_round_journalled_before_fills_stated_positions_reads_back_with_none()
    {
        // The payload as the event was written before its fills carried the positions they reduce: sent as before, unchecked.
        var old = new SerializedPayload("liquidation.auto-deleverage-executed", LiquidationEvents.Version, Encoding.UTF8.GetBytes("""
            {"liquidationId":"liq-acc-1-1","round":1,"accountId":"acc-1","symbol":"BTCUSDT","bankruptcyPrice":59000,
             "fills":[{"accountId":"acc-c","side":"Buy","quantity":1,"price":59000,"score":0.04,"counterpartySequence":1,"bankruptSequence":1}],
             "time":"2026-03-02T08:00:05+00:00"}
            """));

        var fill = Assert.Single(Registry.Deserialize<AutoDeleverageExecuted>(old).Fills);

        Assert.Equal(new AdlExecution("acc-c", OrderSide.Buy, 1m, 59_000m, 0.04m, 1, 1), fill);
        Assert.Null(fill.CounterpartyPosition);
        Assert.Null(fill.BankruptPosition);
        Assert.False(fill.ByFund);
    }

    [Fact]
    public void A_start_journalled_before_the_funds_take_overs_reads_back_as_no_unwind()
    {
        var old = new SerializedPayload("liquidation.started", LiquidationEvents.Version, Encoding.UTF8.GetBytes("""
            {"liquidationId":"liq-acc-1-1","accountId":"acc-1","status":"Liquidation","equityUsd":20,"maintenanceMarginUsd":23.6,"cancelSequence":1,
             "time":"2026-03-02T08:00:05+00:00"}
            """));

        Assert.Null(Registry.Deserialize<LiquidationStarted>(old).TakeOverOf);
    }

    [Fact]
    public void The_funds_take_over_its_unwind_and_its_sweep_keep_their_figures_through_the_journal()
    {
        var time = new DateTimeOffset(2026, 3, 2, 8, 0, 5, TimeSpan.Zero);
        var executed = new AutoDeleverageExecuted("liq-acc-1-1", 1, "acc-1", "BTCUSDT", 58_800m,
            [new AdlExecution("insurance-fund", OrderSide.Buy, 0.1m, 58_800m, 0m, 1, 1, BankruptPosition: 0.1m, ByFund: true)], time);
        var started = new LiquidationStarted("liq-insurance-fund-1", "insurance-fund", Risk.Margin.MarginStatus.Liquidation, 20m, 0m, 1, time, "liq-acc-1-1:adl-1");
        var swept = new FundAccountSwept("liq-insurance-fund-1", [new InsuranceFundPayment("USDT", 10m, 10m)], 2, time);

        Assert.Equal(executed.Fills, Registry.Deserialize<AutoDeleverageExecuted>(Registry.Serialize(executed)).Fills);
        Assert.Equal(started, Registry.Deserialize<LiquidationStarted>(Registry.Serialize(started)));
        var read = Registry.Deserialize<FundAccountSwept>(Registry.Serialize(swept));
        Assert.Equal((swept.LiquidationId, swept.FirstSequence, swept.Time), (read.LiquidationId, read.FirstSequence, read.Time));
        Assert.Equal(swept.Amounts, read.Amounts);
    }

    [Fact]
    public void A_fills_stated_positions_and_a_refused_fill_keep_their_figures_through_the_journal()
    {
        var time = new DateTimeOffset(2026, 3, 2, 8, 0, 5, TimeSpan.Zero);
        var executed = new AutoDeleverageExecuted("liq-acc-1-1", 1, "acc-1", "BTCUSDT", 59_000m,
            [new AdlExecution("acc-c", OrderSide.Buy, 1m, 59_000m, 0.04m, 1, 1, CounterpartyPosition: -2m, BankruptPosition: 1m)], time);
        var refused = new AutoDeleverageFillRefused("liq-acc-1-1", 1, "acc-c", RejectionCode.PositionChanged, "holds -0.5", time);

        Assert.Equal(executed.Fills, Registry.Deserialize<AutoDeleverageExecuted>(Registry.Serialize(executed)).Fills);
        Assert.Equal(refused, Registry.Deserialize<AutoDeleverageFillRefused>(Registry.Serialize(refused)));
    }

    [Fact]
    public void A_bankrupt_side_refused_for_good_keeps_its_fill_and_reason_through_the_journal()
    {
        var refused = new AutoDeleverageBankruptSideRefused("liq-acc-1-1", 2, "acc-c", RejectionCode.OutOfOrder, "sequence 3 after 4",
            new DateTimeOffset(2026, 3, 2, 8, 0, 5, TimeSpan.Zero));

        Assert.Equal(refused, Registry.Deserialize<AutoDeleverageBankruptSideRefused>(Registry.Serialize(refused)));
    }

    [Fact]
    public void A_bankrupt_side_refusal_keeps_its_reversal_through_the_journal_and_one_written_before_reversals_reads_back_without_one()
    {
        var refused = new AutoDeleverageBankruptSideRefused("liq-acc-1-1", 1, "acc-b", RejectionCode.PositionChanged, "holds 0.5",
            new DateTimeOffset(2026, 3, 2, 8, 0, 5, TimeSpan.Zero), ReversalSequence: 2);
        var old = new SerializedPayload("liquidation.auto-deleverage-bankrupt-side-refused", LiquidationEvents.Version, Encoding.UTF8.GetBytes("""
            {"liquidationId":"liq-acc-1-1","round":1,"counterpartyId":"acc-b","code":"OutOfOrder","reason":"r","time":"2026-03-02T08:00:05+00:00"}
            """));

        Assert.Equal(refused, Registry.Deserialize<AutoDeleverageBankruptSideRefused>(Registry.Serialize(refused)));
        Assert.Null(Registry.Deserialize<AutoDeleverageBankruptSideRefused>(old).ReversalSequence);
    }

    /// <summary>
    /// A rebooking journaled before session 32 (no confirmation) reads back unconfirmed, so a restart re-sends it without
    /// the confirmation it never had; one written now keeps its confirmation through the journal.
    /// </summary>
    [Fact]
    public void A_rebooking_keeps_its_confirmation_through_the_journal_and_one_written_before_confirmations_reads_back_unconfirmed()
    {
        var time = new DateTimeOffset(2026, 3, 2, 8, 0, 5, TimeSpan.Zero);
        var confirmed = new AutoDeleverageReversalRebooked("liq-acc-1-1", 1, "acc-b", 2, 7, 58_000m, time, ConfirmUnverified: true);
        var old = new SerializedPayload(Registry.Serialize(confirmed).Manifest, LiquidationEvents.Version, Encoding.UTF8.GetBytes("""
            {"liquidationId":"liq-acc-1-1","round":1,"counterpartyId":"acc-b","attempt":2,"sequence":7,"settlementPrice":58000,"time":"2026-03-02T08:00:05+00:00"}
            """));

        Assert.Equal(confirmed, Registry.Deserialize<AutoDeleverageReversalRebooked>(Registry.Serialize(confirmed)));
        Assert.Equal(confirmed with { ConfirmUnverified = false }, Registry.Deserialize<AutoDeleverageReversalRebooked>(old));
    }

    [Fact]
    public void A_settled_shortfall_keeps_its_figures_through_the_journal()
    {
        var settled = new LiquidationShortfallSettled("liq-acc-1-1:shortfall", "liq-acc-1-1", "acc-1", 1_000m, 7_620m,
            new DateTimeOffset(2026, 3, 2, 8, 0, 5, TimeSpan.Zero));

        Assert.Equal(settled, Registry.Deserialize<LiquidationShortfallSettled>(Registry.Serialize(settled)));
    }
}
