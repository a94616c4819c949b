using CrossMargin.Actors;
using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// A node restarted on the same journal database (a second engine on the same SQLite persistence and clock; the first
/// one, still running, is the other node of a cluster). Its market file is <see cref="TestMarket"/> (BTC 60,000), written
/// at 2026-03-02 08:00; the feed trades from 09:00 on, a second a tick.
/// </summary>
public sealed class IndexReferenceRestartTests(ITestOutputHelper output) : ManualClockEngineTestKit(output)
{
    private static readonly DateTimeOffset Trading = TestMarket.ValuationTime.AddHours(1);

    /// <summary>
    /// The feed walks BTC from 60,000 to 80,000 in four accepted steps (65,000, 70,000, 75,000, 80,000); five seconds later
    /// (the save interval) the last is stored, as of its feed timestamp. The restarted node bands against 80,000: 56,000
    /// (6.7% from the file's 60,000) is refused as 30% from it, 81,000 (35% from the file) accepted. Before, the reference
    /// was the market file's: 81,000 was refused, and every tick after it until five confirmations or an operator.
    /// </summary>
    [Fact]
    public async Task A_restarted_node_bands_its_first_index_against_the_last_one_saved_not_its_market_file()
    {
        await WalkBtcTo80000();

        var restarted = await Restart(Engine.Settings);
        var at = Tick();
        var refused = Assert.IsType<PriceRejected>(await restarted.UpdatePriceAsync(new UpdateIndex("BTC", 56_000m, at)).WaitAsync(Answer));
        Assert.Equal("BTC: index 56000 is 30% from the last accepted 80000, beyond the 10% band; nothing moved "
            + "(1 in a row at this level; the 6th, each later and within the band of the one before, is accepted, or an operator accepts the next index).",
            refused.Message);
        Assert.IsType<PriceAccepted>(await restarted.UpdatePriceAsync(new UpdateIndex("BTC", 81_000m, at)).WaitAsync(Answer));
        AwaitAssert(() => Assert.Equal(81_000m, restarted.Market.Current.PriceOf("BTC")), Answer);
    }

    /// <summary>
    /// A market file written after the stored index (an operator's fresh file, 09:30, BTC 90,000) is the reference: it is
    /// the newer of the two: 80,900 (1.1% from the stored 80,000) is refused as 10.11111% from 90,000, 95,000 accepted.
    /// </summary>
    [Fact]
    public async Task A_market_file_written_after_the_last_saved_index_is_the_reference_of_a_restarted_node()
    {
        await WalkBtcTo80000();

        var file = WrittenAt(TestMarket.Build(90_000m, 3_000m), Trading.AddMinutes(30));
        var restarted = await Restart(Engine.Settings with { OpeningMarket = file });
        var at = Tick();
        var refused = Assert.IsType<PriceRejected>(await restarted.UpdatePriceAsync(new UpdateIndex("BTC", 80_900m, at)).WaitAsync(Answer));
        Assert.StartsWith("BTC: index 80900 is 10.11111% from the last accepted 90000,", refused.Message, StringComparison.Ordinal);
        Assert.IsType<PriceAccepted>(await restarted.UpdatePriceAsync(new UpdateIndex("BTC", 95_000m, at)).WaitAsync(Answer));
    }

    /// <summary>
    /// An operator arms accept-next-index for BTC (no level); the node restarts before the jump comes. The restarted node
    /// is armed too: 24,000 (a 60% fall, beyond a factor of 2: only an operator lets it through) is accepted and counted
    /// as overridden; the next jump, 12,000, is refused again. With no index accepted yet, the override is stored as of the
    /// market file's time, or, for a file valued ahead of the clock as this one is (March; the engine started on the
    /// clock's 1 January), 5 s (<c>MaxMarkAge</c>) before the engine's start. Before, the restart forgot the override.
    /// </summary>
    [Fact]
    public async Task An_override_armed_before_a_restart_lets_the_jump_through_on_the_restarted_node()
    {
        // The feed reads the clock when it loads its references: moved before that, the file would no longer be ahead of it.
        await Engine.GetPriceStatsAsync().WaitAsync(Answer);
        var started = Time!.GetUtcNow();
        // The feed has its bands (answered once it has read the store): the file's is stamped by the clock it read then.
        await Engine.GetPriceStatsAsync().WaitAsync(Answer);
        Time.Advance(Trading - started);
        Assert.IsType<NextIndexWillBeAccepted>(await Engine.AcceptNextIndexAsync("BTC").WaitAsync(Answer));
        await AwaitStored(started.AddSeconds(-5));

        var restarted = await Restart(Engine.Settings);
        var at = Tick();
        Assert.IsType<PriceAccepted>(await restarted.UpdatePriceAsync(new UpdateIndex("BTC", 24_000m, at)).WaitAsync(Answer));
        Assert.Equal(1L, restarted.PriceStatsNow().IndexJumpsOverridden);
        var refused = Assert.IsType<PriceRejected>(await restarted.UpdatePriceAsync(new UpdateIndex("BTC", 12_000m, Tick())).WaitAsync(Answer));
        Assert.Equal(PriceRejectionReason.IndexJump, refused.Reason);
    }

    /// <summary>
    /// A cluster's override (id op-1) is armed and spent on the jump to 24,000 (a 60% fall), saved at once; a node then
    /// starts from that stored state and gets the override's copy from its marks queue (declared before its feed read the
    /// store). The copy is answered as already applied and arms nothing: the next jump, 10,000 (58.33333% from 24,000,
    /// beyond a factor of 2), is refused as without an override. Before, the copy armed the override again and one
    /// operator command let two jumps through.
    /// </summary>
    [Fact]
    public async Task An_override_a_restarted_node_loaded_as_spent_is_not_armed_again_by_its_copy_from_the_marks_queue()
    {
        await SpendOverrideOp1OnAJumpTo24000();

        var restarted = await Restart(Engine.Settings);
        Assert.Equal(new IndexOverrideAlreadyApplied("BTC", "op-1", 24_000m, Armed: false),
            await restarted.AcceptNextIndexAsync("BTC", id: "op-1").WaitAsync(Answer));
        var refused = Assert.IsType<PriceRejected>(await restarted.UpdatePriceAsync(new UpdateIndex("BTC", 10_000m, Tick())).WaitAsync(Answer));
        Assert.Equal("BTC: index 10000 is 58.33333% from the last accepted 24000, beyond the 10% band; nothing moved "
            + "(beyond a factor of 2 from the last accepted, only an operator's accept-next-index lets it through).", refused.Message);
        Assert.Equal(0L, restarted.PriceStatsNow().IndexJumpsOverridden);
    }

    /// <summary>
    /// The same stored state (op-1 spent), and an override without an id (an older node's, or an embedded node's): it is
    /// armed as before, and the jump to 10,000 is accepted by it.
    /// </summary>
    [Fact]
    public async Task An_override_without_an_id_still_arms_a_node_that_loaded_a_spent_one()
    {
        await SpendOverrideOp1OnAJumpTo24000();

        var restarted = await Restart(Engine.Settings);
        Assert.Equal(new NextIndexWillBeAccepted("BTC", 24_000m), await restarted.AcceptNextIndexAsync("BTC").WaitAsync(Answer));
        Assert.IsType<PriceAccepted>(await restarted.UpdatePriceAsync(new UpdateIndex("BTC", 10_000m, Tick())).WaitAsync(Answer));
        Assert.Equal(1L, restarted.PriceStatsNow().IndexJumpsOverridden);
    }

    /// <summary>
    /// Two overrides published while a node starts (op-1 spent on 24,000, op-2 spent on 10,000), both in the stored state
    /// it loads and both in its marks queue: neither copy arms, the older one included (a band remembering only the last
    /// id would take op-1's copy for a new override). 4,000 (60% from 10,000) is refused.
    /// </summary>
    [Fact]
    public async Task Neither_of_two_overrides_a_restarted_node_loaded_as_spent_is_armed_again_by_its_copy()
    {
        await SpendOverrideOp1OnAJumpTo24000();
        Assert.IsType<NextIndexWillBeAccepted>(await Engine.AcceptNextIndexAsync("BTC", id: "op-2").WaitAsync(Answer));
        var jump = Tick();
        Assert.IsType<PriceAccepted>(await Engine.UpdatePriceAsync(new UpdateIndex("BTC", 10_000m, jump)).WaitAsync(Answer));
        await AwaitStored(jump);

        var restarted = await Restart(Engine.Settings);
        Assert.Equal(new IndexOverrideAlreadyApplied("BTC", "op-1", 10_000m, Armed: false),
            await restarted.AcceptNextIndexAsync("BTC", id: "op-1").WaitAsync(Answer));
        Assert.Equal(new IndexOverrideAlreadyApplied("BTC", "op-2", 10_000m, Armed: false),
            await restarted.AcceptNextIndexAsync("BTC", id: "op-2").WaitAsync(Answer));
        var refused = Assert.IsType<PriceRejected>(await restarted.UpdatePriceAsync(new UpdateIndex("BTC", 4_000m, Tick())).WaitAsync(Answer));
        Assert.Equal(PriceRejectionReason.IndexJump, refused.Reason);
    }

    /// <summary>On the first node: the override op-1 armed, and spent on BTC 24,000 (a 60% fall from the file's 60,000), stored at once.</summary>
    private async Task SpendOverrideOp1OnAJumpTo24000()
    {
        Time!.Advance(Trading - Time.GetUtcNow());
        Assert.Equal(new NextIndexWillBeAccepted("BTC", 60_000m), await Engine.AcceptNextIndexAsync("BTC", id: "op-1").WaitAsync(Answer));
        var jump = Tick();
        Assert.IsType<PriceAccepted>(await Engine.UpdatePriceAsync(new UpdateIndex("BTC", 24_000m, jump)).WaitAsync(Answer));
        await AwaitStored(jump);
    }

    private async Task WalkBtcTo80000()
    {
        Time!.Advance(Trading - Time.GetUtcNow());
        foreach (var btc in new[] { 65_000m, 70_000m, 75_000m, 80_000m })
        {
            Assert.IsType<PriceAccepted>(await Engine.UpdatePriceAsync(new UpdateIndex("BTC", btc, Tick())).WaitAsync(Answer));
        }

        var last = Time.GetUtcNow();
        Time.Advance(TimeSpan.FromSeconds(5));
        await AwaitStored(last);
    }

    /// <summary>Waits until BTC's index reference is stored as of <paramref name="timestamp"/> (its sequence number: the feed timestamp in microseconds).</summary>
    private async Task AwaitStored(DateTimeOffset timestamp)
    {
        var micros = (timestamp - DateTimeOffset.UnixEpoch).Ticks / 10;
        var deadline = DateTime.UtcNow + Answer;
        while (true)
        {
            var stored = await Engine.Settings.Persistence.SnapshotStore.LoadAsync("price-index-BTC");
            if (stored?.Metadata.SequenceNr == micros)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"BTC's index reference was not stored as of {timestamp:O} (stored: {stored?.Metadata.SequenceNr.ToString() ?? "none"}).");
            await Task.Delay(20);
        }
    }

    private DateTimeOffset Tick()
    {
        Time!.Advance(TimeSpan.FromSeconds(1));
        return Time.GetUtcNow();
    }

    /// <summary>A second engine on the same persistence and clock, as a restarted node; shut down with the test.</summary>
    private async Task<RiskEngine> Restart(RiskEngineSettings settings)
    {
        var system = ActorSystem.Create("restarted", new ActorSystemOptions(), Logs, Time!);
        _restarted = system;
        var engine = RiskEngine.Start(system, settings);
        // Answered once the feed has its references: a tick sent before is held, not lost, but a test's first tick should not race it.
        await engine.GetPriceStatsAsync().WaitAsync(Answer);
        return engine;
    }

    private ActorSystem? _restarted;

    public override async Task DisposeAsync()
    {
        if (_restarted is not null)
        {
            await _restarted.Terminate();
        }

        await base.DisposeAsync();
    }

    private static MarketSnapshot WrittenAt(MarketSnapshot market, DateTimeOffset at) =>
        new(at, market.Instruments, market.AssetPrices, market.Instruments.Select(i => i.Underlying).Distinct(StringComparer.Ordinal).Select(market.UnderlyingOf),
            market.Instruments.Select(i => market.MarkOf(i.Symbol)));
}
