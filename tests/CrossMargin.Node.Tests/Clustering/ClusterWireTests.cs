using System.Text.Json;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Clustering;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>The wire forms of what nodes send one another for liquidation, and of what they publish for the venue.</summary>
public sealed class ClusterWireTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 21, 8, 0, 0, TimeSpan.Zero);
    private static readonly TopologyNames Names = new("cm");

    public static TheoryData<object> CoordinatorMessages => new()
    {
        new CancelAllOrders("liq-a-1:cancel", "liquidation", 1),
        new ChargeLiquidationFee("liq-a-1:fee:liq-a-1-s1-1", "liquidation", 2, "liq-a-1", "USDT", 74.03480696m),
        new CoverDeficit("liq-a-1:cover-1:USDT", "liquidation", 3, "USDT", 12.000000001m),
        new ApplyExecution("liq-a-1:adl-1:b", "adl", 1, "liq-a-1:adl-1:b", "liq-a-1:adl-1:b", "BTC-PERP", OrderSide.Sell, 0.123456789m, 59_230.5m, 0m,
            Liquidity.Taker, Time, IsLiquidation: true),
        new VoidSequence("liq-a-1:adl-1:b:void", "adl", 2, "liq-a-1:adl-1:b"),

        // An operator's rebooking in its settled form, its price confirmed: the confirmation reaches an account on another node.
        new ApplyExecution("liq-a-1:adl-1:b:reversed:rebooked-1", "adl", 3, "liq-a-1:adl-1:b:reversed:rebooked-1", "liq-a-1:adl-1:b", "BTCUSDT-260327",
            OrderSide.Buy, 1m, 59_300m, 0m, Liquidity.Taker, Time, IsLiquidation: true, SettlementPrice: 58_000m, SettlementPriceConfirmed: true),
        new OpenAccount("insurance-fund:open", "fund", 1),
        new Withdraw("liq-insurance-fund-1:sweep:USDT", "liquidation", 4, "USDT", 10.000000001m),
    };

    [Theory]
    [MemberData(nameof(CoordinatorMessages))]
    public void Every_command_the_coordinator_sends_an_account_reads_back_equal_on_the_owner(object command)
    {
        var (type, body) = AccountRelay.WireFormOf(command)!.Value;

        Assert.StartsWith(ClusterMessageTypes.InternalPrefix, type, StringComparison.Ordinal);
        Assert.Equal(command, ShardDeliveries.ReadInternal(type, body));
    }

    [Fact]
    public void A_view_request_reads_back_as_the_query_and_messages_no_account_takes_have_no_wire_form()
    {
        var (type, body) = AccountRelay.WireFormOf(GetAccount.Instance)!.Value;

        Assert.Same(GetAccount.Instance, ShardDeliveries.ReadInternal(type, body));
        Assert.Null(AccountRelay.WireFormOf(new ShardBroadcast(GetAccount.Instance, new HashSet<string>())));
        Assert.Null(AccountRelay.WireFormOf(new Deposit("d", "wallet", 1, "USDT", 1m)));
        Assert.Null(ShardDeliveries.ReadInternal("internal.deposit", "{}"u8.ToArray()));
    }

    public static TheoryData<object> AccountAnswers => new()
    {
        new CommandDuplicate("m-1"),
        new CommandRejected("m-2", new Rejection(RejectionCode.UnknownOrder, "no order o-1")),
        new AccountNotOpen("a"),
        View(),
    };

    [Theory]
    [MemberData(nameof(AccountAnswers))]
    public void An_accounts_answer_reaches_the_coordinator_as_the_same_typed_answer(object reply)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(AccountCommandAnswer.Of("a", reply), ClusterWireJsonContext.Default.AccountCommandAnswer);
        var back = JsonSerializer.Deserialize(bytes, ClusterWireJsonContext.Default.AccountCommandAnswer)!.ToReply();

        if (reply is AccountView view)
        {
            var read = Assert.IsType<AccountView>(back);
            Assert.Equal((view.AccountId, view.Mode, view.Margin), (read.AccountId, read.Mode, read.Margin));
            Assert.Equal(view.Balances, read.Balances);
            Assert.Equal(view.Positions, read.Positions);
            Assert.Equal(view.OpenOrders, read.OpenOrders);
            Assert.Equal(view.Sequences, read.Sequences);
        }
        else
        {
            Assert.Equal(reply, back);
        }
    }

    [Fact]
    public void An_accepted_command_comes_back_as_an_acknowledgement_without_its_events()
    {
        var accepted = new CommandAccepted("m-1", [new Deposited("m-1", "wallet", 1, "USDT", 5m)], null, null);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(AccountCommandAnswer.Of("a", accepted), ClusterWireJsonContext.Default.AccountCommandAnswer);

        var back = Assert.IsType<CommandAccepted>(JsonSerializer.Deserialize(bytes, ClusterWireJsonContext.Default.AccountCommandAnswer)!.ToReply());

        Assert.Equal("m-1", back.MessageId);
        Assert.Empty(back.Events);
        Assert.Throws<FormatException>(() => new AccountCommandAnswer("accepted", "a").ToReply());
        Assert.Throws<FormatException>(() => new AccountCommandAnswer("exploded", "a").ToReply());
    }

    [Fact]
    public void A_liquidation_order_goes_to_its_exchange_keyed_by_account_with_every_field_the_venue_needs()
    {
        var order = new LiquidationOrderIssued("liq-a-1", "acc-7", "liq-a-1-s1-1", "BTC-PERP", OrderSide.Sell, 250m, 58_045.4m);

        var (exchange, key, id, type, body) = OutboundBridge.WireFormOf(order, Names)!.Value;

        Assert.Equal(("cm.liquidation-orders", "acc-7", "liq-a-1-s1-1", "LiquidationOrderIssued"), (exchange, key, id, type));
        Assert.Equal(
            """{"liquidationId":"liq-a-1","accountId":"acc-7","orderId":"liq-a-1-s1-1","symbol":"BTC-PERP","side":"sell","quantity":250,"limitPrice":58045.4,"reduceOnly":true,"immediateOrCancel":true,"closesPosition":false}""",
            System.Text.Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void A_liquidation_order_closing_a_whole_position_off_the_lot_says_so_for_the_venues_close_position_order()
    {
        var order = new LiquidationOrderIssued("liq-a-1", "acc-7", "liq-a-1-s1-1", "BTCUSDT", OrderSide.Sell, 0.0505m, 39_200m, ClosesPosition: true);

        var body = OutboundBridge.WireFormOf(order, Names)!.Value.Body;

        Assert.Equal(
            """{"liquidationId":"liq-a-1","accountId":"acc-7","orderId":"liq-a-1-s1-1","symbol":"BTCUSDT","side":"sell","quantity":0.0505,"limitPrice":39200,"reduceOnly":true,"immediateOrCancel":true,"closesPosition":true}""",
            System.Text.Encoding.UTF8.GetString(body));
    }

    /// <summary>
    /// What a node of an earlier version does with a rejection code added after it (README, "Mixed versions"): the answer
    /// cannot be read (the enum is strict), so the relay logs it as unreadable and drops it, as if no answer came. Shown
    /// here with a code no version has; <c>quantityOffLot</c> is read by this one.
    /// </summary>
    [Fact]
    public void An_account_answer_with_a_rejection_code_this_version_does_not_know_cannot_be_read()
    {
        var known = """{"outcome":"rejected","accountId":"a","messageId":"m","code":"quantityOffLot","reason":"off"}""";
        var unknown = """{"outcome":"rejected","accountId":"a","messageId":"m","code":"someCodeFromALaterVersion","reason":"off"}""";

        var read = JsonSerializer.Deserialize(known, ClusterWireJsonContext.Default.AccountCommandAnswer)!;

        Assert.Equal(RejectionCode.QuantityOffLot, read.Code);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(unknown, ClusterWireJsonContext.Default.AccountCommandAnswer));
    }

    [Fact]
    public void Limits_margin_status_and_ADL_notices_go_to_their_exchanges_with_a_stable_id_where_the_fact_has_one()
    {
        var limits = new AccountLimitsChanged("acc-7", 410.5m, new Dictionary<string, decimal> { ["USDT"] = 410.58211642m });
        var status = new AccountStatusChanged("acc-7", MarginStatus.Healthy, MarginStatus.MarginCall, 500m, 600m, 250m, Time);
        var adl = new AutoDeleveraged("liq-b-1", "acc-7", "BTC-PERP", OrderSide.Buy, 0.5m, 58_000m, "liq-b-1:adl-2:acc-7");

        Assert.Equal(("cm.account-limits", "limits", "AccountLimitsChangedBatch"), Route(new AccountLimitsChangedBatch([limits])));
        Assert.Null(OutboundBridge.WireFormOf(limits, Names));
        Assert.Equal(("cm.margin-calls", "acc-7", "AccountStatusChanged"), Route(status));
        Assert.Equal(("cm.adl", "acc-7", "AutoDeleveraged"), Route(adl));
        Assert.Equal(OutboundBridge.WireFormOf(status, Names)!.Value.MessageId, OutboundBridge.WireFormOf(status, Names)!.Value.MessageId);
        Assert.Equal("liq-b-1:adl-2:acc-7", OutboundBridge.WireFormOf(adl, Names)!.Value.MessageId);
        Assert.Equal(adl, JsonSerializer.Deserialize(OutboundBridge.WireFormOf(adl, Names)!.Value.Body, ClusterWireJsonContext.Default.AutoDeleveraged));
        Assert.Null(OutboundBridge.WireFormOf(new AccountBreached("acc-7", MarginStatus.Liquidation, 1m, 2m, 3m, Time), Names));
        using var statusBody = JsonDocument.Parse(OutboundBridge.WireFormOf(status, Names)!.Value.Body);
        Assert.Equal(("healthy", "marginCall"), (statusBody.RootElement.GetProperty("from").GetString(), statusBody.RootElement.GetProperty("to").GetString()));
        Assert.Equal(
            """{"limits":[{"accountId":"acc-7","availableUsd":410.5,"availableBySettlementAsset":{"USDT":410.58211642}}]}""",
            System.Text.Encoding.UTF8.GetString(OutboundBridge.WireFormOf(new AccountLimitsChangedBatch([limits]), Names)!.Value.Body));
    }

    [Fact]
    public void A_breach_report_reads_back_exactly()
    {
        var breach = new AccountBreached("acc-7", MarginStatus.Bankrupt, -12.34m, 600.01m, 300.005m, Time);

        var bytes = JsonSerializer.SerializeToUtf8Bytes(breach, ClusterWireJsonContext.Default.AccountBreached);

        Assert.Equal(breach, JsonSerializer.Deserialize(bytes, ClusterWireJsonContext.Default.AccountBreached));
    }

    private static (string, string, string) Route(object fact)
    {
        var (exchange, key, _, type, _) = OutboundBridge.WireFormOf(fact, Names)!.Value;
        return (exchange, key, type);
    }

    private static AccountView View() => new("a", MarginMode.StandardCross, [new CollateralBalance("USDT", 1000.12345678m)],
        [new Position("BTC-PERP", 750m, 60_000m)], [new OpenOrder("o-1", "BTC-PERP", OrderSide.Buy, 100m, 55_000m)],
        new MarginSummary(229.95m, 600m, 246.10m, -370.05m, MarginStatus.Liquidation, 1.07m, Time),
        [new SourceSequence("adl", 3), new SourceSequence("venue", 41)]);

    [Fact]
    public void Views_gathered_from_every_node_keep_the_sequences_auto_deleveraging_corrects_them_by()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new AccountViewList([View()]), ClusterWireJsonContext.Default.AccountViewList);
        var read = Assert.Single(JsonSerializer.Deserialize(bytes, ClusterWireJsonContext.Default.AccountViewList)!.Views);

        Assert.Equal(3, read.HighestOf("adl"));
        Assert.Equal(41, read.HighestOf("venue"));
        Assert.Equal(0, read.HighestOf("liquidation"));
    }
}
