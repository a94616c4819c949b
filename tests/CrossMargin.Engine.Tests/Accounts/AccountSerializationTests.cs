using System.Text;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Accounts;

public sealed class AccountSerializationTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 2, 8, 0, 1, 123, TimeSpan.Zero);

    public static TheoryData<IAccountEvent> Events => new(Samples);

    private static IAccountEvent[] Samples =>
    [
        new ExecutionApplied("m1", "me", 1, "x1", "o1", "BTCUSDT", OrderSide.Sell, 0.123456789012345678m, 60000.123456789012345678m,
            -0.00000001m, Liquidity.Maker, At, IsLiquidation: true),
        new OrderAccepted("m2", "me", 2, "o2", "ETHUSDT", OrderSide.Buy, 1.50m, 3000.10m),
        new OrderCancelled("m3", "me", 3, "o2"),
        new Deposited("m4", "wallet", 1, "BTC", 0.00000001m),
        new Withdrawn("m5", "wallet", 2, "USDT", 79228162514264337593543950335m),
        new FundingSettled("m6", "funding", 1, "BTCUSDT", -0.000123m, 60123.45m),
        new FundingSettled("m6b", "funding", 2, "BTCUSDT", 0.0001m, 60123.45m, -2.5m),
        new MarginModeChanged("m7", "ops", 1, MarginMode.Portfolio, null, null),
        new MarginModeChanged("m8", "ops", 2, MarginMode.StandardCross, "BTCUSDT", 250.5m),
        new DeficitCovered("m9", "insurance-fund", 1, "USDT", 1234.56789012m),
        new SequenceVoided("liq-acc-1-1:adl-1:acc-c:void", "adl", 3, "liq-acc-1-1:adl-1:acc-c"),
        new ExpirySettled("m10", "settlement", 1, "BTCUSDT-260327", 61234.123456789012345678m),
    ];

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_event_round_trips_through_the_registry_at_version_1(IAccountEvent @event)
    {
        var payload = AccountFixture.Registry.Serialize(@event);

        Assert.Equal(AccountEvents.Version, payload.Version);
        Assert.StartsWith("account.", payload.Manifest, StringComparison.Ordinal);
        Assert.Equal(@event, AccountFixture.Registry.Deserialize(payload));
    }

    /// <summary>Journals hold funding events written before the stated position existed: they read with none stated.</summary>
    [Fact]
    public void A_funding_event_recorded_without_a_stated_position_reads_back_with_none()
    {
        var json = """{"messageId":"m6","source":"funding","sequence":1,"symbol":"BTCUSDT","rate":-0.000123,"markPrice":60123.45}"""u8.ToArray();

        var read = AccountFixture.Registry.Deserialize(new SerializedPayload(AccountEvents.FundingSettledManifest, AccountEvents.Version, json));

        Assert.Equal(new FundingSettled("m6", "funding", 1, "BTCUSDT", -0.000123m, 60123.45m), read);
    }

    [Fact]
    public void Decimals_are_written_with_every_digit_and_enums_by_name()
    {
        var execution = (ExecutionApplied)Samples[0];

        var payload = AccountFixture.Registry.Serialize(execution);
        var json = Encoding.UTF8.GetString(payload.Bytes.Span);
        var read = AccountFixture.Registry.Deserialize<ExecutionApplied>(payload);

        Assert.Contains("\"price\":60000.123456789012345678", json, StringComparison.Ordinal);
        Assert.Contains("\"quantity\":0.123456789012345678", json, StringComparison.Ordinal);
        Assert.Contains("\"fee\":-0.00000001", json, StringComparison.Ordinal);
        Assert.Contains("\"side\":\"Sell\"", json, StringComparison.Ordinal);
        Assert.Contains("\"liquidity\":\"Maker\"", json, StringComparison.Ordinal);
        Assert.Equal(execution.Price, read.Price);
        Assert.Equal(execution.Price.Scale, read.Price.Scale);
    }

    [Fact]
    public void Registering_twice_in_one_registry_fails_loudly()
    {
        var registry = AccountEvents.Register(new EventTypeRegistry());

        Assert.Throws<ArgumentException>(() => AccountEvents.Register(registry));
        Assert.True(registry.IsRegistered(typeof(AccountSnapshot)));
    }

    /// <summary>
    /// Which expired instruments the account was settled for, and at what price, outlives a snapshot: a fill arriving after
    /// the settlement is refused on it, and one in its settled form checked against the price, after a restart from the
    /// snapshot as before it. The symbols are written as before beside the prices, so that a node of the version before
    /// still reads them; a snapshot of then (symbols alone) restores the settlement with its price unknown.
    /// </summary>
    [Fact]
    public void A_snapshot_keeps_the_expired_instruments_the_account_was_settled_for_and_their_prices()
    {
        var state = new AccountState("acc-1");
        Instrument? Lookup(string symbol) => TestMarket.Instruments.FirstOrDefault(i => i.Symbol == symbol);
        state.Apply(new ExecutionApplied("m1", "me", 1, "x1", "o1", TestMarket.BtcMarchFuture, OrderSide.Buy, 1m, 60_300m, 0m, Liquidity.Taker, At,
            IsLiquidation: false), Lookup);
        state.Apply(new ExpirySettled("m2", "settlement", 1, TestMarket.BtcMarchFuture, 61_000m), Lookup);

        var payload = AccountFixture.Registry.Serialize(state.ToSnapshot());
        var restored = AccountState.FromSnapshot(AccountFixture.Registry.Deserialize<AccountSnapshot>(payload));

        var older = AccountState.FromSnapshot(state.ToSnapshot() with { SettledAt = null });

        Assert.Equal([new SettledExpiry(TestMarket.BtcMarchFuture, 61_000m)], restored.SettledExpiries);
        Assert.Contains($"\"settledExpiries\":[\"{TestMarket.BtcMarchFuture}\"]", System.Text.Encoding.UTF8.GetString(payload.Bytes.Span), StringComparison.Ordinal);
        Assert.True(restored.WasSettled(TestMarket.BtcMarchFuture));
        Assert.Equal(61_000m, restored.SettledAt(TestMarket.BtcMarchFuture));
        Assert.False(restored.WasSettled(TestMarket.BtcUsdt));
        Assert.Null(restored.SettledAt(TestMarket.BtcUsdt));
        Assert.True(older.WasSettled(TestMarket.BtcMarchFuture));
        Assert.Null(older.SettledAt(TestMarket.BtcMarchFuture));
    }

    [Fact]
    public void Snapshot_round_trip_restores_an_equal_state_and_dedupe_survives_it()
    {
        var account = new AccountFixture(dedupeCapacity: 3);
        account.Deposit("USDT", 100_000m);
        account.Deposit("BTC", 1.5m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 0.7m, 60_000.5m, fee: 1.23m);
        account.Trade(TestMarket.BtcInversePerp, OrderSide.Sell, 30m, 61_000m);
        account.Trade(TestMarket.LinearOption(OptionKind.Put, 55000), OrderSide.Sell, 2m, 900m);
        var (id, source, seq) = account.Next();
        account.Accept(new AcceptOrder(id, source, seq, "rest-1", TestMarket.EthUsdt, OrderSide.Buy, 3m, 2900m));
        (id, source, seq) = account.Next();
        account.Accept(new ChangeMarginMode(id, source, seq, MarginMode.StandardCross, TestMarket.BtcUsdt, 2_000m));
        (id, source, seq) = account.Next();
        account.Accept(new ChangeMarginMode(id, source, seq, MarginMode.Portfolio));
        account.Accept(new Deposit("w-7", "wallet", 7, "USDT", 1m));

        var payload = AccountFixture.Registry.Serialize(account.State.ToSnapshot());
        var restored = AccountState.FromSnapshot(AccountFixture.Registry.Deserialize<AccountSnapshot>(payload));

        Assert.Equal(account.SnapshotJson(), AccountFixture.Json(restored));
        Assert.Equal(MarginMode.Portfolio, restored.Mode);
        Assert.Equal(2_000m, restored.Positions[TestMarket.BtcUsdt].IsolatedMargin);
        Assert.Equal(3, restored.Messages.Capacity);
        Assert.Equal(7, restored.Messages.HighestOf("wallet"));
        var retry = AccountDecider.Decide(restored, new Deposit("w-7", "wallet", 7, "USDT", 1m), account.Market, AccountFixture.Models);
        Assert.Equal(DecisionOutcome.Duplicate, retry.Outcome);
        Assert.Equal(account.Assess().EquityUsd, AccountFixture.Models.Assess(restored, account.Market).EquityUsd);
    }

    [Fact]
    public void Replaying_the_events_rebuilds_the_same_state()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 50_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 1m, 60_000m, fee: 3m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Sell, 0.4m, 60_700.25m, fee: 1m);
        var (id, source, seq) = account.Next();
        account.Accept(new SettleFunding(id, source, seq, TestMarket.BtcUsdt, 0.0001m, 60_100m));

        var replayed = new AccountState("acc-1");
        foreach (var payload in account.Journal.Select(e => AccountFixture.Registry.Serialize(e)))
        {
            replayed.Apply((IAccountEvent)AccountFixture.Registry.Deserialize(payload), account.Market.FindInstrument);
        }

        Assert.Equal(5, account.Journal.Count);
        Assert.Equal(account.SnapshotJson(), AccountFixture.Json(replayed));
    }
}
