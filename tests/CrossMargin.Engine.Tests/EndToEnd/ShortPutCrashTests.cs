using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.EndToEnd;

/// <summary>
/// A put writer through a crash that the feed sends as an index alone (its option marks come later, or not at all), on a
/// whole engine whose clock the test moves: it opens on 2026-01-01 00:00 with <see cref="TestMarket"/>'s March contracts
/// (BTC March forward = index x 1.005, rate 0), 85 days and 8 hours (ACT/365) before their expiry. Premiums are Black-76
/// from <see cref="ReferenceBlack76"/>, rounded to the 0.01 tick.
/// </summary>
/// <remarks>
/// Standard margin of a short option (Deribit): IM = max(15% - OTM/F, 10%) x F + mark, MM = max(7.5% - OTM/F, 7.5%) x F
/// + mark per contract, F the March forward; equity = USDT + quantity x mark. Healthy while equity &gt;= IM, margin call
/// below IM, liquidation below MM.
/// </remarks>
public sealed class ShortPutCrashTests(ITestOutputHelper output) : ManualClockEngineTestKit(output)
{
    private static readonly string Put = TestMarket.LinearOption(OptionKind.Put, 55_000);

    /// <summary>
    /// The feed marks the 55,000 put at 58% on the forward 60,300: P0 = about 4,119.10. <c>writer</c> deposits 12,500 USDT
    /// and sells 1 at P0: USDT 12,500 + P0, equity 12,500; OTM 5,300, so IM = max(15% - 5,300/60,300, 10%) = 10% x 60,300
    /// + P0 = 6,030 + P0 (about 10,149), healthy. BTC's index then falls to 42,000 (forward 42,210) and nothing else ticks.
    /// Held at P0 the put left the account healthy (equity 12,500 against IM 15% x 42,210 + P0 = 6,331.50 + P0, about
    /// 10,451): the re-priced mark P1 = Black-76 (42,210, 58%), about 14,033.92, makes equity 12,500 + P0 - P1 (about
    /// 2,585) against MM 7.5% x 42,210 + P1 = 3,165.75 + P1: liquidation, on the index move alone. A 30% fall in one tick
    /// is beyond the index move band (10%): an operator lets it through (<see cref="AcceptNextIndex"/>), as one would a
    /// real crash the feed reports in one tick.
    /// </summary>
    [Fact]
    public async Task A_put_writer_is_liquidated_on_a_crash_of_the_index_alone_at_the_put_repriced_from_its_vol()
    {
        var (statuses, premium) = await WriterShortOnePut();
        var years = (TestMarket.March - Time!.GetUtcNow()).TotalDays / 365;

        Assert.Equal(new NextIndexWillBeAccepted("BTC", 60_000m), await Engine.AcceptNextIndexAsync("BTC"));
        Tick([new UpdateIndex("BTC", 42_000m, Time.GetUtcNow())], []);

        var repriced = Math.Round((decimal)ReferenceBlack76.Price(OptionKind.Put, 42_210, 55_000, years, 0.58, 0), 2, MidpointRounding.AwayFromZero);
        var change = statuses.ExpectMsg<AccountStatusChanged>(c => c.AccountId == "writer", Wait);
        Assert.Equal((MarginStatus.Healthy, MarginStatus.Liquidation, 12_500m + premium - repriced, (0.15m * 42_210m) + repriced, (0.075m * 42_210m) + repriced),
            (change.From, change.To, change.EquityUsd, change.InitialMarginUsd, change.MaintenanceMarginUsd));
        Assert.Equal(repriced, Engine.Market.Current.MarkOf(Put).MarkPrice);
    }

    /// <summary>
    /// The same writer, and the same crash sent by the feed alone, a second apart, with no operator: the first five
    /// 42,000s are refused as index jumps (30% from 60,000, beyond the 10% band) and the writer stays healthy at 60,000;
    /// the sixth, the fifth confirmation, is accepted and the book is margined at it: P1 is Black-76 on the forward
    /// 42,210 at 58% with the 6 seconds less to expiry, and the writer goes from healthy to liquidation as above.
    /// </summary>
    [Fact]
    public async Task A_crash_the_feed_confirms_five_times_reaches_the_put_writer_only_at_the_fifth_confirmation()
    {
        var (statuses, premium) = await WriterShortOnePut();

        var probe = CreateTestProbe();
        for (var i = 1; i <= 5; i++)
        {
            Time!.Advance(TimeSpan.FromSeconds(1));
            Engine.Prices.Tell(new UpdateIndex("BTC", 42_000m, Time.GetUtcNow()), probe.Ref);
            Assert.Equal(PriceRejectionReason.IndexJump, probe.ExpectMsg<PriceRejected>(timeout: Wait).Reason);
        }

        statuses.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal((60_000m, premium), (Engine.Market.Current.PriceOf("BTC"), Engine.Market.Current.MarkOf(Put).MarkPrice));
        Time!.Advance(TimeSpan.FromSeconds(1));
        Tick([new UpdateIndex("BTC", 42_000m, Time.GetUtcNow())], []);

        var left = (TestMarket.March - Time!.GetUtcNow()).TotalDays / 365;
        var repriced = Math.Round((decimal)ReferenceBlack76.Price(OptionKind.Put, 42_210, 55_000, left, 0.58, 0), 2, MidpointRounding.AwayFromZero);
        var change = statuses.ExpectMsg<AccountStatusChanged>(c => c.AccountId == "writer", Wait);
        Assert.Equal((MarginStatus.Healthy, MarginStatus.Liquidation, 12_500m + premium - repriced, (0.15m * 42_210m) + repriced, (0.075m * 42_210m) + repriced),
            (change.From, change.To, change.EquityUsd, change.InitialMarginUsd, change.MaintenanceMarginUsd));
        Assert.Equal((42_000m, repriced), (Engine.Market.Current.PriceOf("BTC"), Engine.Market.Current.MarkOf(Put).MarkPrice));
    }

    /// <summary>
    /// The put marked at P0 (58% on the forward 60,300) and <c>writer</c> short one at it on 12,500 USDT, healthy (IM 10%
    /// x 60,300 + P0, MM 7.5% x 60,300 + P0); a probe on the status changes, and P0.
    /// </summary>
    private async Task<(TestProbe Statuses, decimal Premium)> WriterShortOnePut()
    {
        var statuses = CreateTestProbe("statuses");
        Sys.EventStream.Subscribe(statuses.Ref, typeof(AccountStatusChanged));
        var years = (TestMarket.March - Time!.GetUtcNow()).TotalDays / 365;
        var premium = Math.Round((decimal)ReferenceBlack76.Price(OptionKind.Put, 60_300, 55_000, years, 0.58, 0), 2, MidpointRounding.AwayFromZero);
        Tick([], [new UpdateMark(Put, premium, 0.58, Time.GetUtcNow())]);
        AwaitAssert(() => Assert.Equal(premium, Engine.Market.Current.MarkOf(Put).MarkPrice), Wait);

        await Send("writer", "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, MarginMode.StandardCross));
        await Send("writer", "wallet", (id, seq) => new Deposit(id, "wallet", seq, "USDT", 12_500m));
        var sold = await Trade("writer", Put, Risk.Portfolios.OrderSide.Sell, 1m, premium);
        Assert.Equal((12_500m, (0.10m * 60_300m) + premium, (0.075m * 60_300m) + premium, MarginStatus.Healthy),
            (sold.Margin!.EquityUsd, sold.Margin.InitialMarginUsd, sold.Margin.MaintenanceMarginUsd, sold.Margin.Status));
        return (statuses, premium);
    }

    private void Tick(UpdateIndex[] indices, UpdateMark[] marks)
    {
        var probe = CreateTestProbe();
        Engine.Prices.Tell(new UpdatePrices(indices, marks), probe.Ref);
        for (var i = 0; i < indices.Length + marks.Length; i++)
        {
            Assert.IsType<PriceAccepted>(probe.ExpectMsg<object>(timeout: Wait));
        }
    }
}
