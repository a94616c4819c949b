using System.Text.Json;
using CrossMargin.Cli.Commands;

namespace CrossMargin.Cli.Tests.Commands;

public sealed class LiquidationStepTextTests
{
    private static JsonElement Step(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void A_planned_step_reads_as_its_outcome_and_reason_with_one_line_per_order()
    {
        var step = Step("""
            {"kind":"LiquidationStepPlanned","step":{"liquidationId":"liq-a-1","step":2,"outcome":"orders","reason":"cross: equity 10.00 below stop 20.00",
             "equityUsd":10.00,"maintenanceMarginUsd":19.05,"orders":[{"orderId":"liq-a-1-s2-1","symbol":"BTC-PERP","side":"sell","quantity":901,
             "limitPrice":54817.9,"feeAsset":"USDT","feeAmount":0,"feeUsd":0.00}],"time":"2026-11-23T12:14:21.0112877+00:00","takeOverIfUnfilled":true}}
            """);

        Assert.Equal("step 2 orders: cross: equity 10.00 below stop 20.00\n  sell 901 BTC-PERP limit 54817.9 (liq-a-1-s2-1)\n"
            + "  what the book does not fill goes to auto-deleveraging at the bankruptcy price", LiquidationStepText.Describe(step));
        Assert.Equal("2026-11-23 12:14:21.011", LiquidationStepText.Time(step));
    }

    [Fact]
    public void A_cover_received_names_what_was_covered_and_each_payment()
    {
        var step = Step("""
            {"kind":"LiquidationCoverReceived","step":{"liquidationId":"liq-a-1","requestId":"liq-a-1:cover-1","coveredUsd":2836.48,"uncoveredUsd":0.0,
             "payments":[{"asset":"USDT","amount":2837.04740949,"amountUsd":2836.48}],"firstSequence":2,"time":"2026-11-23T12:14:20.86+00:00"}}
            """);

        Assert.Equal("liq-a-1:cover-1: the fund covered 2,836.48 USD, 0.00 USD uncovered; paid 2837.04740949 USDT (2,836.48 USD)",
            LiquidationStepText.Describe(step));
    }

    [Fact]
    public void An_auto_deleverage_round_lists_every_counterparty_with_its_side_quantity_and_price()
    {
        var step = Step("""
            {"kind":"AutoDeleverageExecuted","step":{"liquidationId":"liq-a-1","round":1,"accountId":"a","symbol":"BTC-PERP","bankruptcyPrice":56041.6,
             "fills":[{"accountId":"b","side":"buy","quantity":428,"price":56041.6,"score":0.1908647892313129786730681855,"byFund":false},
                      {"accountId":"insurance-fund","side":"buy","quantity":2,"price":56041.6,"score":0,"byFund":true}],"time":"2026-11-23T12:14:21+00:00"}}
            """);

        Assert.Equal("auto-deleverage round 1: BTC-PERP at bankruptcy price 56041.6, 2 counterparties\n  b buy 428 at 56041.6 (score 0.1909)\n"
            + "  insurance-fund buy 2 at 56041.6 (score 0, the fund's account)", LiquidationStepText.Describe(step));
    }

    [Fact]
    public void An_order_the_book_filled_none_of_says_so_without_a_price_or_fee()
    {
        var step = Step("""
            {"kind":"LiquidationOrderReported","step":{"liquidationId":"liq-a-1","orderId":"liq-a-1-s1-1","filledQuantity":0,"averagePrice":0,
             "feeAsset":"USDT","feeAmount":0,"feeUsd":0,"feeSequence":0,"time":"2026-11-23T12:14:21+00:00"}}
            """);

        Assert.Equal("liq-a-1-s1-1: filled 0", LiquidationStepText.Describe(step));
    }

    /// <summary>
    /// A refused bankrupt side says what became of the counterparty's side (session 29 printed only the refusal: whether
    /// it was reversed was in <c>--json</c> alone); a refused reversal and an operator's rebooking in its settled form read
    /// as what they are.
    /// </summary>
    [Fact]
    public void A_refused_side_says_whether_the_counterpartys_was_reversed_and_refused_reversals_and_rebookings_read_in_words()
    {
        var reversed = Step("""
            {"kind":"AutoDeleverageBankruptSideRefused","step":{"liquidationId":"liq-a-1","round":1,"counterpartyId":"b","code":"instrumentExpired",
             "reason":"expired","time":"2026-11-23T12:14:21+00:00","reversalSequence":2}}
            """);
        var stands = Step("""
            {"kind":"AutoDeleverageBankruptSideRefused","step":{"liquidationId":"liq-a-1","round":1,"counterpartyId":"b","code":"idReused",
             "reason":"reused","time":"2026-11-23T12:14:21+00:00","reversalSequence":null}}
            """);
        var refused = Step("""
            {"kind":"AutoDeleverageReversalRefused","step":{"liquidationId":"liq-a-1","round":1,"counterpartyId":"b","code":"instrumentExpired",
             "reason":"settled","time":"2026-11-23T12:14:21+00:00","attempt":0}}
            """);
        var rebooked = Step("""
            {"kind":"AutoDeleverageReversalRebooked","step":{"liquidationId":"liq-a-1","round":1,"counterpartyId":"b","attempt":1,"sequence":3,
             "settlementPrice":58000,"time":"2026-11-23T12:14:21+00:00"}}
            """);
        var confirmed = Step("""
            {"kind":"AutoDeleverageReversalRebooked","step":{"liquidationId":"liq-a-1","round":1,"counterpartyId":"b","attempt":2,"sequence":4,
             "settlementPrice":null,"time":"2026-11-23T12:14:21+00:00","confirmUnverified":true}}
            """);

        Assert.Equal("auto-deleverage round 1: the bankrupt side of the fill with b was refused (instrumentExpired): expired; b's side reversed",
            LiquidationStepText.Describe(reversed));
        Assert.Equal("auto-deleverage round 1: the bankrupt side of the fill with b was refused (idReused): reused; b's side stands unbalanced until an operator "
            + "rebooks its reversal", LiquidationStepText.Describe(stands));
        Assert.Equal("auto-deleverage round 1: b refused the reversal of its side (instrumentExpired): settled; its side stands unbalanced until an operator rebooks it",
            LiquidationStepText.Describe(refused));
        Assert.Equal("auto-deleverage round 1: an operator rebooked the reversal of b's side in its settled form at 58000 (rebooking 1)",
            LiquidationStepText.Describe(rebooked));
        Assert.Equal("auto-deleverage round 1: an operator rebooked the reversal of b's side (rebooking 2), confirming what the cluster cannot check (--confirm-unverified)",
            LiquidationStepText.Describe(confirmed));
    }

    /// <summary>The counterparty's booking of a rebooking reads as what was booked: the trade, its settlement price, its message id.</summary>
    [Fact]
    public void A_booked_rebooking_reads_as_the_trade_booked_and_its_settlement_price()
    {
        var settled = Step("""
            {"kind":"AutoDeleverageRebookingBooked","step":{"liquidationId":"liq-a-1","round":1,"counterpartyId":"b","attempt":2,
             "messageId":"liq-a-1:adl-1:b:reversed:rebooked-2","symbol":"BTCUSDT-260327","side":"sell","quantity":1,"price":59300,
             "settlementPrice":58000,"time":"2026-11-23T12:14:21+00:00"}}
            """);
        var traded = Step("""
            {"kind":"AutoDeleverageRebookingBooked","step":{"liquidationId":"liq-a-1","round":1,"counterpartyId":"b","attempt":1,
             "messageId":"liq-a-1:adl-1:b:reversed:rebooked-1","symbol":"BTC-PERP","side":"buy","quantity":0.5,"price":59000,
             "settlementPrice":null,"time":"2026-11-23T12:14:21+00:00"}}
            """);

        Assert.Equal("auto-deleverage round 1: b booked rebooking 2, sell 1 BTCUSDT-260327 at 59300 settled at 58000 (liq-a-1:adl-1:b:reversed:rebooked-2); "
            + "the fill nets again", LiquidationStepText.Describe(settled));
        Assert.Equal("auto-deleverage round 1: b booked rebooking 1, buy 0.5 BTC-PERP at 59000 (liq-a-1:adl-1:b:reversed:rebooked-1); the fill nets again",
            LiquidationStepText.Describe(traded));
    }

    [Fact]
    public void A_kind_this_version_does_not_know_is_written_as_its_scalar_fields()
    {
        var step = Step("""
            {"kind":"LiquidationSomethingNew","step":{"liquidationId":"liq-a-1","reason":"why","amountUsd":1.5,"nested":{"x":1},"time":"2026-11-23T12:14:21+00:00"}}
            """);

        Assert.Equal("LiquidationSomethingNew: reason why, amountUsd 1.5", LiquidationStepText.Describe(step));
    }
}
