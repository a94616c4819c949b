using System.Text;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Persistence;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// Journals written before the further margin modes existed must replay unchanged: a mode is stored by its member
/// name (and was readable as a number), so the original members keep both and new ones are only appended.
/// </summary>
public sealed class MarginModeJournalTests
{
    /// <summary>
    /// An account's events exactly as version 1 wrote them with the two original modes: opened in portfolio mode,
    /// funded, traded, a position isolated, then the pool switched back to standard cross.
    /// </summary>
    private static readonly (string Manifest, string Json)[] RecordedWithTheOriginalModes =
    [
        ("account.opened", """{"messageId":"open-1","source":"accounts","sequence":1,"mode":"Portfolio"}"""),
        ("account.deposited", """{"messageId":"d-1","source":"wallet","sequence":1,"asset":"USDT","amount":50000}"""),
        ("account.execution-applied", """{"messageId":"x-1","source":"venue","sequence":1,"executionId":"e-1","orderId":"o-1","symbol":"BTCUSDT","side":"Buy","quantity":0.5,"price":60000,"fee":0,"liquidity":"Taker","venueTimestamp":"2026-03-02T08:00:00+00:00","isLiquidation":false}"""),
        ("account.margin-mode-changed", """{"messageId":"mm-1","source":"ops","sequence":1,"mode":"Portfolio","symbol":"BTCUSDT","isolatedMargin":1000}"""),
        ("account.margin-mode-changed", """{"messageId":"mm-2","source":"ops","sequence":2,"mode":"StandardCross","symbol":null,"isolatedMargin":null}"""),
    ];

    /// <summary>A snapshot exactly as version 1 wrote it for an account in portfolio mode.</summary>
    private const string SnapshotRecordedInPortfolioMode =
        """{"accountId":"acc-1","mode":"Portfolio","balances":[{"asset":"USDT","amount":50000}],"positions":[{"symbol":"BTCUSDT","quantity":0.5,"entryPrice":60000,"isolatedMargin":null}],"openOrders":[],"messages":{"capacity":4,"sources":[{"source":"account-service","highest":1},{"source":"matching-engine","highest":2}],"recentIds":["open-acc-1","m1","m2"]},"isOpen":true}""";

    public static TheoryData<MarginMode, string, int> StoredForms => new()
    {
        { MarginMode.StandardCross, "StandardCross", 0 },
        { MarginMode.Portfolio, "Portfolio", 1 },
        { MarginMode.Simm, "Simm", 2 },
        { MarginMode.ValueAtRisk, "ValueAtRisk", 3 },
        { MarginMode.ExpectedShortfall, "ExpectedShortfall", 4 },
        { MarginMode.Composite, "Composite", 5 },
    };

    [Fact]
    public void Events_recorded_with_the_original_modes_still_replay_and_are_written_byte_for_byte_the_same()
    {
        var payloads = RecordedWithTheOriginalModes.Select(r => new SerializedPayload(r.Manifest, 1, Encoding.UTF8.GetBytes(r.Json))).ToArray();
        var market = TestMarket.Build();
        var state = new AccountState("acc-old");
        var modes = new List<MarginMode>();

        foreach (var payload in payloads)
        {
            var @event = (IAccountEvent)AccountFixture.Registry.Deserialize(payload);
            state.Apply(@event, market.FindInstrument);
            modes.Add(state.Mode);
            Assert.Equal(payload, AccountFixture.Registry.Serialize(@event));
        }

        Assert.Equal(new AccountOpened("open-1", "accounts", 1, MarginMode.Portfolio), AccountFixture.Registry.Deserialize(payloads[0]));
        Assert.Equal([MarginMode.Portfolio, MarginMode.Portfolio, MarginMode.Portfolio, MarginMode.Portfolio, MarginMode.StandardCross], modes);
        Assert.Equal(1_000m, state.Positions[TestMarket.BtcUsdt].IsolatedMargin);
        // The replayed account is margined as before the change: standard rules, 0.5 BTC isolated on its own margin.
        var margin = ShippedRiskFiles.Models.Assess(state, market);
        Assert.Equal("standard", margin.Model);
        var asBefore = AccountFixture.Models.Assess(state, market);
        Assert.Equal((asBefore.EquityUsd, asBefore.InitialMarginUsd, asBefore.MaintenanceMarginUsd), (margin.EquityUsd, margin.InitialMarginUsd, margin.MaintenanceMarginUsd));
        Assert.Equal(asBefore.Isolated.Single().InitialMarginUsd, Assert.Single(margin.Isolated).InitialMarginUsd);
    }

    [Fact]
    public void A_snapshot_recorded_in_portfolio_mode_restores_in_portfolio_mode_and_is_written_the_same()
    {
        var payload = new SerializedPayload(AccountEvents.SnapshotManifest, 1, Encoding.UTF8.GetBytes(SnapshotRecordedInPortfolioMode));
        var market = TestMarket.Build();

        var restored = AccountState.FromSnapshot(AccountFixture.Registry.Deserialize<AccountSnapshot>(payload));

        Assert.Equal(MarginMode.Portfolio, restored.Mode);
        // Written the same but for the remembered ids, which a ledger now keeps (and writes) as fingerprints.
        var fingerprints = string.Join(",", new[] { "open-acc-1", "m1", "m2" }.Select(id => MessageLedger.FingerprintOf(id).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(SnapshotRecordedInPortfolioMode.Replace("\"recentIds\":[\"open-acc-1\",\"m1\",\"m2\"]", "\"recentIds\":[],\"recentIdFingerprints\":[" + fingerprints + "]", StringComparison.Ordinal),
            AccountFixture.Json(restored));
        Assert.Equal("portfolio", ShippedRiskFiles.Models.Assess(restored, market).Model);
        Assert.Equal(AccountFixture.Models.Portfolio.Assess(restored.ToPortfolio(), market).InitialMarginUsd,
            ShippedRiskFiles.Models.Assess(restored, market).InitialMarginUsd);
    }

    [Theory]
    [MemberData(nameof(StoredForms))]
    public void Every_mode_keeps_its_stored_name_and_number(MarginMode mode, string storedName, int number)
    {
        var opened = new AccountOpened("open-1", "accounts", 1, mode);

        var json = Encoding.UTF8.GetString(AccountFixture.Registry.Serialize(opened).Bytes.Span);
        var fromNumber = AccountFixture.Registry.Deserialize(new SerializedPayload(AccountEvents.AccountOpenedManifest, 1,
            Encoding.UTF8.GetBytes($$"""{"messageId":"open-1","source":"accounts","sequence":1,"mode":{{number}}}""")));

        Assert.Equal(number, (int)mode);
        Assert.Equal($$"""{"messageId":"open-1","source":"accounts","sequence":1,"mode":"{{storedName}}"}""", json);
        Assert.Equal(opened, fromNumber);
    }

    [Fact]
    public void An_account_in_a_further_mode_survives_its_snapshot_and_its_replay()
    {
        var account = new AccountFixture(margin: ShippedRiskFiles.Models, mode: MarginMode.ValueAtRisk);
        account.Deposit("USDT", 100_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 0.5m, 60_000m);
        var (id, source, seq) = account.Next();
        account.Accept(new ChangeMarginMode(id, source, seq, MarginMode.Composite));

        var restored = AccountState.FromSnapshot(AccountFixture.Registry.Deserialize<AccountSnapshot>(AccountFixture.Registry.Serialize(account.State.ToSnapshot())));
        var replayed = new AccountState("acc-1");
        foreach (var payload in account.Journal.Select(e => AccountFixture.Registry.Serialize(e)))
        {
            replayed.Apply((IAccountEvent)AccountFixture.Registry.Deserialize(payload), account.Market.FindInstrument);
        }

        Assert.Equal(MarginMode.Composite, restored.Mode);
        Assert.Equal(account.SnapshotJson(), AccountFixture.Json(restored));
        Assert.Equal(account.SnapshotJson(), AccountFixture.Json(replayed));
        Assert.Contains("\"mode\":\"ValueAtRisk\"", Encoding.UTF8.GetString(AccountFixture.Registry.Serialize(account.Journal[0]).Bytes.Span), StringComparison.Ordinal);
    }
}
