using CrossMargin.Actors;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence.Serialization;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// A node that refuses an index as a jump catches up from the reference a peer saved (<see cref="IndexReferenceStore"/>
/// over a store in memory that the test writes to as the other nodes of a cluster would). BTC opens at 60,000 from a
/// market file written a day before the clock's start; this node accepts 60,100, then the feed falls to 24,000 (60%,
/// beyond a factor of 2: only an operator lets it through), which the peers took by an override this node missed.
/// </summary>
public sealed class IndexReferenceFromPeerTests(ITestOutputHelper output) : PriceTestKit(output)
{
    private const string Btc = "price-index-BTC";

    private RecordingSnapshotStore Snapshots { get; } = new();

    private EventTypeRegistry Registry { get; } = PriceEvents.Register(new EventTypeRegistry());

    private DateTimeOffset? _fileTime;

    // A day before the clock's start: fixed on first use, before the clock moves.
    private DateTimeOffset FileTime => _fileTime ??= Now.AddDays(-1);

    /// <summary>
    /// The peers took 24,000 and saved it (at once, their override being spent) before this node judged it. This node
    /// refuses it, reads the store and finds 24,000 newer than its own 60,100: the next tick, 24,100, is accepted (0.4%
    /// from 24,000) and moves the market. The refused tick stays refused. Before, 24,100 was refused as 59.9% from 60,100,
    /// and every tick after it: the node stayed at 60,100 while its peers were at 24,000.
    /// </summary>
    [Fact]
    public async Task A_jump_the_peers_took_and_saved_is_this_nodes_reference_from_the_tick_after_its_refusal()
    {
        var feed = StartStoredFeed();
        IndicesAccepted(feed, "BTC", 60_100m);
        var own = Now;
        Clock.Advance(TimeSpan.FromSeconds(1));
        var jumped = Now;
        await Peer(new IndexReference("BTC", 24_000m, jumped, false, null, ["op-1"]));

        RefusedAsJump(feed, 24_000m);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 24_100m);

        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        AwaitAssert(() => Assert.Equal(24_100m, Latest.Current.PriceOf("BTC")));
        Assert.Contains(Logs.Entries, e => e.Level == LogLevel.Information
            && e.Message == $"BTC: the index band now starts from 24000 as of {jumped:O}, saved by a peer: newer than this node's last accepted 60100 as of {own:O}, from which it refused an index as a jump");
        var stats = Stats(feed);
        Assert.Equal((1L, 1L, 0L), (stats.RejectedFor(PriceRejectionReason.IndexJump), stats.IndexReferencesAdoptedFromPeers, stats.IndexJumpsOverridden));
    }

    /// <summary>
    /// After taking the peers' 24,000 (saved as of a second after its own 60,100), an index stamped between the two
    /// (24,050, half a second before the row) comes late from this node's queue: the peers had it before their row, so it is
    /// out of order here as it would be there, and the market stays where the row put it. Before, the row's timestamp was
    /// not this node's last accepted one: 24,050 was accepted (in the band of 24,000) and the band's time went back to it.
    /// </summary>
    [Fact]
    public async Task An_index_stamped_before_the_adopted_reference_is_refused_as_out_of_order()
    {
        var feed = StartStoredFeed();
        IndicesAccepted(feed, "BTC", 60_100m);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var jumped = Now;
        await Peer(new IndexReference("BTC", 24_000m, jumped, false, null, ["op-1"]));
        RefusedAsJump(feed, 24_000m);
        AwaitAssert(() => Assert.Equal(1L, Stats(feed).IndexReferencesAdoptedFromPeers));

        Index(feed, "BTC", 24_050m, jumped.AddMilliseconds(-500));

        var late = NextRejection();
        Assert.Equal((PriceRejectionReason.OutOfOrder, $"BTC: timestamp {jumped.AddMilliseconds(-500):O} is older than the last accepted {jumped:O}."),
            (late.Reason, late.Message));
        Index(feed, "BTC", 24_100m, jumped);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
    }

    /// <summary>
    /// The peers' save lands after this node's first refusal: its read found nothing newer. Ten refusals in the next 0.9 s
    /// read the store once in all (the first); the refusal a second after that read reads again, finds 24,000 and the tick
    /// after it (24,150) is accepted. A flood of refused ticks is not a flood of reads.
    /// </summary>
    [Fact]
    public async Task Refused_jumps_read_the_peers_reference_at_most_once_a_second_and_the_read_after_their_save_lands_catches_up()
    {
        var feed = StartStoredFeed();
        IndicesAccepted(feed, "BTC", 60_100m);
        var atStart = Snapshots.LoadsOf(Btc);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var jumped = Now;
        for (var i = 0; i < 10; i++)
        {
            RefusedAsJump(feed, 24_000m + (10m * i));
            Clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        var afterTen = Snapshots.LoadsOf(Btc);
        await Peer(new IndexReference("BTC", 24_000m, jumped, false, null, ["op-1"]));
        RefusedAsJump(feed, 24_100m);
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        Index(feed, "BTC", 24_150m);

        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        Assert.Equal((atStart + 1, atStart + 2), (afterTen, Snapshots.LoadsOf(Btc)));
        Assert.Single(Logs.Entries, e => e.Level == LogLevel.Debug && e.Message.StartsWith("BTC: no valid stored index reference", StringComparison.Ordinal));
        Assert.Equal((11L, 1L), (Stats(feed).RejectedFor(PriceRejectionReason.IndexJump), Stats(feed).IndexReferencesAdoptedFromPeers));
    }

    /// <summary>
    /// A stored reference older than this node's last accepted index (a second before it), stamped at the same instant, or
    /// not valid by the rules a start-up load applies (an index of 0, stamped an hour ahead of the clock, another asset's)
    /// changes nothing: 24,000 is refused, and 24,100 a second later too; each read is logged once at Debug.
    /// </summary>
    [Theory]
    [InlineData(24_000, -1, "BTC", "the stored index reference 24000 as of")]
    [InlineData(24_000, 0, "BTC", "the stored index reference 24000 as of")]
    [InlineData(0, 1, "BTC", "no valid stored index reference")]
    [InlineData(24_000, 3600, "BTC", "no valid stored index reference")]
    [InlineData(24_000, 1, "ETH", "no valid stored index reference")]
    public async Task A_stored_reference_older_equal_or_not_valid_changes_nothing(int index, int secondsAfterOwn, string asset, string logged)
    {
        var feed = StartStoredFeed();
        IndicesAccepted(feed, "BTC", 60_100m);
        await Peer(new IndexReference(asset, index, Now.AddSeconds(secondsAfterOwn), false, null, ["op-1"]));

        foreach (var price in new[] { 24_000m, 24_100m })
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            RefusedAsJump(feed, price);
        }

        // The second read's answer is taken after the refusal's answer is sent.
        AwaitAssert(() => Assert.Equal(2, Logs.Entries.Count(e => e.Level == LogLevel.Debug && e.Message.StartsWith("BTC: " + logged, StringComparison.Ordinal))));
        AwaitAssert(() => Assert.Equal(60_100m, Latest.Current.PriceOf("BTC")));
        Assert.Equal(0L, Stats(feed).IndexReferencesAdoptedFromPeers);
    }

    /// <summary>
    /// A damaged row above the peers' save (80,000 stamped an hour ahead) is passed over for it, as a start-up load does:
    /// 24,000 is adopted, 24,100 accepted.
    /// </summary>
    [Fact]
    public async Task A_stored_reference_that_is_not_valid_is_passed_over_for_the_peers_save_beneath_it()
    {
        var feed = StartStoredFeed();
        IndicesAccepted(feed, "BTC", 60_100m);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var jumped = Now;
        await Peer(new IndexReference("BTC", 80_000m, Now.AddHours(1), false, null));
        await Peer(new IndexReference("BTC", 24_000m, jumped, false, null, ["op-1"]));

        RefusedAsJump(feed, 24_000m);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 24_100m);

        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        Assert.Equal(1L, Stats(feed).IndexReferencesAdoptedFromPeers);
    }

    /// <summary>
    /// A store that cannot be read changes nothing and is logged at Warning once per read: three refusals, at 0, 0.5 and
    /// 1 s, read twice.
    /// </summary>
    [Fact]
    public void A_store_that_cannot_be_read_after_a_refusal_changes_nothing_and_is_logged_once_per_read()
    {
        var feed = StartStoredFeed();
        IndicesAccepted(feed, "BTC", 60_100m);
        Snapshots.FailLoads = true;

        foreach (var price in new[] { 24_000m, 24_050m, 24_100m })
        {
            Clock.Advance(TimeSpan.FromMilliseconds(500));
            RefusedAsJump(feed, price);
        }

        AwaitAssert(() => Assert.Equal(2, Logs.Entries.Count(e => e.Level == LogLevel.Warning
            && e.Message.StartsWith("BTC: the stored index reference could not be read after a refused jump; the band stays at 60100", StringComparison.Ordinal))));
        AwaitAssert(() => Assert.Equal(60_100m, Latest.Current.PriceOf("BTC")));
    }

    /// <summary>
    /// An override this node armed that the peer's row does not list (op-2, near 12,000, given after the peer saved) stays
    /// armed when the node adopts the peer's 24,000, and is saved at once with it (a restart must not forget it); the
    /// peer's op-1 is remembered, so its copy arms nothing. 24,100 is accepted in the band, 12,000 by op-2.
    /// </summary>
    [Fact]
    public async Task An_override_armed_here_that_the_peers_row_does_not_list_stays_armed_when_its_reference_is_adopted()
    {
        var feed = StartStoredFeed();
        IndicesAccepted(feed, "BTC", 60_100m);
        var probe = CreateTestProbe();
        feed.Tell(new AcceptNextIndex("BTC", 12_000m, "op-2"), probe.Ref);
        probe.ExpectMsg<NextIndexWillBeAccepted>();
        Clock.Advance(TimeSpan.FromSeconds(1));
        var jumped = Now;
        await Peer(new IndexReference("BTC", 24_000m, jumped, false, null, ["op-1"]));

        RefusedAsJump(feed, 24_000m);
        AwaitAssert(() => Assert.Equal(new IndexReference("BTC", 24_000m, jumped, true, 12_000m, ["op-2", "op-1"]), Stored(), ByValue.Instance));
        feed.Tell(new AcceptNextIndex("BTC", null, "op-1"), probe.Ref);
        Assert.Equal(new IndexOverrideAlreadyApplied("BTC", "op-1", 24_000m, true), probe.ExpectMsg<IndexOverrideAlreadyApplied>());

        IndicesAccepted(feed, "BTC", 24_100m, 12_000m);
        Assert.Equal((1L, 1L), (Stats(feed).IndexReferencesAdoptedFromPeers, Stats(feed).IndexJumpsOverridden));
    }

    /// <summary>
    /// An override that reached this node only after the jump (op-1: the override and the feed's ticks come from two
    /// publishers) and that the peer's row lists as spent (on that jump) is spent here too when the node adopts the row:
    /// its read is held while op-1 arms, then answers. 24,100 is accepted in the band, not by op-1, and the next jump
    /// (10,000) is refused: one operator's command lets one jump through.
    /// </summary>
    [Fact]
    public async Task An_override_the_peers_row_lists_as_spent_is_spent_here_when_its_reference_is_adopted()
    {
        var feed = StartStoredFeed();
        IndicesAccepted(feed, "BTC", 60_100m);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Peer(new IndexReference("BTC", 24_000m, Now, false, null, ["op-1"]));
        Snapshots.LoadGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        RefusedAsJump(feed, 24_000m);
        var probe = CreateTestProbe();
        feed.Tell(new AcceptNextIndex("BTC", null, "op-1"), probe.Ref);
        probe.ExpectMsg<NextIndexWillBeAccepted>();
        Snapshots.LoadGate.SetResult();
        AwaitAssert(() => Assert.Contains(Logs.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("BTC: the index band now starts from 24000", StringComparison.Ordinal)));

        IndicesAccepted(feed, "BTC", 24_100m);
        Clock.Advance(TimeSpan.FromSeconds(1));
        RefusedAsJump(feed, 10_000m);
        Assert.Equal(0L, Stats(feed).IndexJumpsOverridden);
    }

    /// <summary>
    /// The peer's row holds an override armed that this node never saw (op-3, given after the peers spent op-1 on the
    /// jump): armed here with the adopted reference, as a start-up load arms it. 24,100 is accepted in the band, 10,000
    /// by op-3.
    /// </summary>
    [Fact]
    public async Task An_override_the_peers_row_holds_armed_is_armed_here_when_its_reference_is_adopted()
    {
        var feed = StartStoredFeed();
        IndicesAccepted(feed, "BTC", 60_100m);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Peer(new IndexReference("BTC", 24_000m, Now, true, null, ["op-1", "op-3"]));

        RefusedAsJump(feed, 24_000m);
        IndicesAccepted(feed, "BTC", 24_100m, 10_000m);

        Assert.Equal((1L, 1L), (Stats(feed).IndexReferencesAdoptedFromPeers, Stats(feed).IndexJumpsOverridden));
    }

    /// <summary>
    /// A node's own row is never taken for a peer's, though its feed timestamp is newer than the node's last accepted index:
    /// restarted from 72,000 (as of now) with an override armed, the node spends it on 30,000 stamped a second earlier,
    /// and that save is slow to land. 10,000 is refused (66.7% from 30,000) and the read finds the row it loaded (72,000,
    /// armed): it stays at 30,000 with no override, so 70,000 is refused too (133% from 30,000). Taken for a peer's, the
    /// row would have moved the band back to 72,000 and armed the spent override again.
    /// </summary>
    [Fact]
    public async Task A_row_this_node_loaded_is_not_adopted_though_its_own_save_after_it_has_not_landed()
    {
        var restoredAt = Now;
        await Peer(new IndexReference("BTC", 72_000m, restoredAt, true, null, ["op-1"]));
        var feed = StartStoredFeed();
        Snapshots.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Index(feed, "BTC", 30_000m, restoredAt.AddSeconds(-1));
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());

        foreach (var price in new[] { 10_000m, 70_000m })
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            RefusedAsJump(feed, price);
        }

        Snapshots.Gate.SetResult();
        var stats = Stats(feed);
        Assert.Equal((1L, 0L), (stats.IndexJumpsOverridden, stats.IndexReferencesAdoptedFromPeers));
    }

    /// <summary>
    /// A read that answers after the band moved past what it found changes nothing: 24,000 is refused and its read held;
    /// meanwhile an operator's override lets 30,000 through (a second later), saved at once over the peers' row; the read
    /// then finds nothing newer than this node's 30,000, and the band stays: 30,100 is accepted (0.3% from 30,000; 25.4%
    /// from 24,000 had the peers' row been taken).
    /// </summary>
    [Fact]
    public async Task A_peers_reference_read_after_the_band_moved_past_it_changes_nothing()
    {
        var feed = StartStoredFeed();
        IndicesAccepted(feed, "BTC", 60_100m);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Peer(new IndexReference("BTC", 24_000m, Now, false, null, ["op-1"]));
        Snapshots.LoadGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RefusedAsJump(feed, 24_000m);

        LetNextIndexThrough(feed, "BTC");
        IndicesAccepted(feed, "BTC", 30_000m);
        Snapshots.LoadGate.SetResult();
        AwaitAssert(() => Assert.Contains(Logs.Entries, e => e.Level == LogLevel.Debug && e.Message.StartsWith("BTC: the stored index reference ", StringComparison.Ordinal)));

        IndicesAccepted(feed, "BTC", 30_100m);
        Assert.Equal((1L, 0L), (Stats(feed).IndexJumpsOverridden, Stats(feed).IndexReferencesAdoptedFromPeers));
    }

    private IActorRef StartStoredFeed() =>
        Sys.ActorOf(PriceFeed.Props(MarketDefinition.Of(Latest.Current, Assets), Latest, [Model], new PriceOptions(), new PriceCounters(),
            new IndexReferenceStore(Snapshots, Registry, FileTime)), "prices");

    /// <summary>Saves <paramref name="reference"/> as another node would.</summary>
    private Task Peer(IndexReference reference) => new IndexReferenceStore(Snapshots, Registry, FileTime).SaveAsync(reference);

    /// <summary>Sends a BTC index of <paramref name="price"/> and expects it refused as a jump.</summary>
    private void RefusedAsJump(IActorRef feed, decimal price)
    {
        Index(feed, "BTC", price);
        Assert.Equal(PriceRejectionReason.IndexJump, NextRejection().Reason);
    }

    private IndexReference? Stored() => new IndexReferenceStore(Snapshots, Registry, FileTime).LoadAsync("BTC").GetAwaiter().GetResult()?.Reference;

    /// <summary>Compares references with their override ids by value (the record compares the list by reference).</summary>
    private sealed class ByValue : IEqualityComparer<IndexReference?>
    {
        public static readonly ByValue Instance = new();

        public bool Equals(IndexReference? x, IndexReference? y) =>
            x is not null && y is not null && x with { OverrideIds = null } == y with { OverrideIds = null } && (x.OverrideIds ?? []).SequenceEqual(y.OverrideIds ?? []);

        public int GetHashCode(IndexReference? obj) => 0;
    }
}
