using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Pricing;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Market;

public class MarketSnapshotTests
{
    private static readonly Perpetual BtcUsdt = new(TestMarket.BtcUsdt, "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m);

    [Fact]
    public void Expired_option_is_rejected_naming_it()
    {
        var expired = new OptionContract("BTC-27FEB26-60000-C", "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m,
            new DateTimeOffset(2026, 2, 27, 8, 0, 0, TimeSpan.Zero), OptionKind.Call, 60_000m);

        var error = Assert.Throws<ArgumentException>(() => Snapshot([BtcUsdt, expired],
            [new InstrumentMark(BtcUsdt.Symbol, 60_000m), new InstrumentMark(expired.Symbol, 100m, 0.5)]));

        Assert.Contains("BTC-27FEB26-60000-C", error.Message, StringComparison.Ordinal);
        Assert.Contains("expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Option_expiring_exactly_at_the_valuation_time_counts_as_expired()
    {
        var expiring = new OptionContract("BTC-02MAR26-60000-C", "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m,
            TestMarket.ValuationTime, OptionKind.Call, 60_000m);

        Assert.Throws<ArgumentException>(() => Snapshot([expiring], [new InstrumentMark(expiring.Symbol, 100m, 0.5)]));
    }

    [Fact]
    public void An_expired_instrument_kept_for_settlement_resolves_but_is_neither_listed_nor_valued()
    {
        var expired = new OptionContract("BTC-27FEB26-60000-C", "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m,
            new DateTimeOffset(2026, 2, 27, 8, 0, 0, TimeSpan.Zero), OptionKind.Call, 60_000m);
        var market = new MarketSnapshot(TestMarket.ValuationTime, [BtcUsdt],
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 60_000m, ["USDT"] = 1m }, [new UnderlyingMarket("BTC", 0)],
            [new InstrumentMark(BtcUsdt.Symbol, 60_000m)], [expired]);

        Assert.Null(market.FindInstrument(expired.Symbol));
        Assert.Same(expired, market.FindExpired(expired.Symbol));
        Assert.Same(expired, market.FindListedOrExpired(expired.Symbol));
        Assert.Empty(market.Options);
        Assert.Null(market.FindExpired(BtcUsdt.Symbol));
    }

    [Fact]
    public void An_instrument_given_as_expired_before_its_expiry_is_rejected_naming_it()
    {
        var live = new Future("BTCUSDT-260327", "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m, TestMarket.March);

        var error = Assert.Throws<ArgumentException>(() => new MarketSnapshot(TestMarket.ValuationTime, [BtcUsdt],
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 60_000m, ["USDT"] = 1m }, [new UnderlyingMarket("BTC", 0)],
            [new InstrumentMark(BtcUsdt.Symbol, 60_000m)], [live]));

        Assert.Contains("BTCUSDT-260327", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forwards_quoted_against_an_index_keep_their_basis_as_it_moves_and_plain_quotes_stay_put()
    {
        var later = TestMarket.March.AddDays(30);
        var quotes = new[] { new ForwardPoint(TestMarket.March, 60_300m), new ForwardPoint(later, 61_200m) };
        var basis = new UnderlyingMarket("BTC", 0, quotes, quotedAtIndex: 60_000);
        var plain = new UnderlyingMarket("BTC", 0, quotes);
        var between = TestMarket.March.AddDays(10);

        // At the quoting index both read the same; at 42,000 the basis one scales by 0.7 at a quoted expiry and carries
        // at ln(F / 60,000) / T in between, which is the same 0.7 of its value at 60,000.
        Assert.Equal(60_300, basis.ForwardFor(TestMarket.March, TestMarket.ValuationTime, 60_000), 1e-9);
        Assert.Equal(42_210, basis.ForwardFor(TestMarket.March, TestMarket.ValuationTime, 42_000), 1e-9);
        Assert.Equal(0.7 * basis.ForwardFor(between, TestMarket.ValuationTime, 60_000), basis.ForwardFor(between, TestMarket.ValuationTime, 42_000), 1e-8);
        Assert.Equal(60_300, plain.ForwardFor(TestMarket.March, TestMarket.ValuationTime, 42_000), 1e-9);
        Assert.Equal(plain.ForwardFor(between, TestMarket.ValuationTime, 60_000), basis.ForwardFor(between, TestMarket.ValuationTime, 60_000), 1e-9);
    }

    [Fact]
    public void A_shock_moves_a_basis_forward_once_and_a_quoted_price_by_the_factor()
    {
        var basis = new UnderlyingMarket("BTC", 0, [new ForwardPoint(TestMarket.March, 60_300m)], quotedAtIndex: 60_000);

        Assert.Same(basis, basis.Moved(0.7m));
        Assert.Equal(42_210, basis.Moved(0.7m).ForwardFor(TestMarket.March, TestMarket.ValuationTime, 42_000), 1e-9);
        var plain = new UnderlyingMarket("BTC", 0, [new ForwardPoint(TestMarket.March, 60_300m)]);
        Assert.Equal(42_210, plain.Moved(0.7m).ForwardFor(TestMarket.March, TestMarket.ValuationTime, 42_000), 1e-9);
    }

    [Fact]
    public void Mark_for_an_unknown_instrument_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Snapshot([BtcUsdt],
            [new InstrumentMark(BtcUsdt.Symbol, 60_000m), new InstrumentMark("DOGEUSDT", 0.1m)]));

        Assert.Contains("DOGEUSDT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Instrument_without_a_mark_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Snapshot([BtcUsdt], []));

        Assert.Contains("BTCUSDT has no mark", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_asset_price_is_rejected_naming_the_asset()
    {
        var usdc = new Perpetual(TestMarket.BtcUsdc, "BTC", "USDC", "USDC", SettlementKind.Linear, 1m, 0.01m);

        var error = Assert.Throws<ArgumentException>(() => Snapshot([usdc], [new InstrumentMark(usdc.Symbol, 60_000m)]));

        Assert.Contains("USDC", error.Message, StringComparison.Ordinal);
        Assert.Contains(usdc.Symbol, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_instrument_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Snapshot([BtcUsdt, BtcUsdt], [new InstrumentMark(BtcUsdt.Symbol, 60_000m)]));

        Assert.Contains("Duplicate instrument BTCUSDT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_positive_asset_price_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MarketSnapshot(TestMarket.ValuationTime, [],
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 0m }, [], []));
    }

    [Theory]
    [InlineData(SettlementKind.Linear, OptionKind.Call, 65_000)]
    [InlineData(SettlementKind.Linear, OptionKind.Put, 55_000)]
    [InlineData(SettlementKind.Inverse, OptionKind.Call, 70_000)]
    [InlineData(SettlementKind.Inverse, OptionKind.Put, 50_000)]
    public void Option_vol_implied_from_the_mark_matches_the_vol_the_mark_was_priced_at(SettlementKind settlement, OptionKind kind, int strike)
    {
        const double vol = 0.55;
        var inverse = settlement == SettlementKind.Inverse;
        var option = new OptionContract("BTC-OPT", "BTC", inverse ? "USD" : "USDT", inverse ? "BTC" : "USDT", settlement, 1m, 0.0001m,
            TestMarket.March, kind, strike);
        var forward = 60_300.0;
        var usd = Black76.Price(kind, forward, strike, YearFraction.Act365(TestMarket.ValuationTime, TestMarket.March), vol, 0.0);
        var mark = (decimal)(inverse ? usd / forward : usd);

        var given = Snapshot([option], [new InstrumentMark(option.Symbol, mark, vol)]);
        var implied = Snapshot([option], [new InstrumentMark(option.Symbol, mark)]);

        Assert.Equal(vol, given.OptionInputsOf(option.Symbol).Volatility);
        Assert.Equal(vol, implied.OptionInputsOf(option.Symbol).Volatility, 6);
        Assert.Equal(forward, implied.OptionInputsOf(option.Symbol).Forward);
    }

    [Fact]
    public void Mark_no_volatility_can_explain_is_rejected_naming_the_option()
    {
        var option = new OptionContract("BTC-27MAR26-70000-C", "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m, TestMarket.March, OptionKind.Call, 70_000m);

        // A call cannot be worth more than the forward.
        var error = Assert.ThrowsAny<ArgumentException>(() => Snapshot([option], [new InstrumentMark(option.Symbol, 70_000m)]));

        Assert.Contains(option.Symbol, error.Message, StringComparison.Ordinal);
    }

    private static MarketSnapshot Snapshot(IEnumerable<Instrument> instruments, IEnumerable<InstrumentMark> marks) =>
        new(TestMarket.ValuationTime, instruments,
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 60_000m, ["USDT"] = 1m, ["USD"] = 1m },
            [new UnderlyingMarket("BTC", 0, [new ForwardPoint(TestMarket.March, 60_300m)])],
            marks);

    [Fact]
    public void A_consumer_cannot_rewrite_the_forwards_every_later_snapshot_shares()
    {
        // The price feed puts the same UnderlyingMarket in every snapshot it publishes: an array behind the read-only
        // view could be cast back and written, moving every option's forward for every account from then on.
        var forwards = TestMarket.Build().UnderlyingOf("BTC").Forwards;

        Assert.False(forwards is ForwardPoint[]);
        Assert.Throws<NotSupportedException>(() => ((IList<ForwardPoint>)forwards)[0] = new ForwardPoint(TestMarket.March, 1m));
    }
}
