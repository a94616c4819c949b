using CrossMargin.Actors;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Serialization;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// How a feed keeps its index references (<see cref="IndexReferenceStore"/> over a store in memory): BTC opens at 60,000
/// from a market file written a day before the clock's start; the save interval is the default 5 s.
/// </summary>
public sealed class IndexReferenceSaveTests(ITestOutputHelper output) : PriceTestKit(output)
{
    private const string Btc = "price-index-BTC";

    private RecordingSnapshotStore Snapshots { get; } = new();

    private EventTypeRegistry Registry { get; } = PriceEvents.Register(new EventTypeRegistry());

    private DateTimeOffset? _fileTime;

    // A day before the clock's start: fixed on first use, before the clock moves.
    private DateTimeOffset FileTime => _fileTime ??= Now.AddDays(-1);

    /// <summary>
    /// Ten accepted ticks 0.4 s apart (60,100 to 61,000) are one save, due 5 s after the first (at 5.4 s), of the newest:
    /// 61,000 as of its feed timestamp (4.0 s), which is its sequence number. Nothing more is saved while nothing is
    /// accepted (a minute); the next tick (61,100) is saved 5 s later and the older row deleted. ETH never ticked: never saved.
    /// </summary>
    [Fact]
    public void Ticks_within_the_save_interval_are_saved_once_with_the_newest_index_as_of_its_feed_timestamp()
    {
        var feed = StartStoredFeed();
        var start = Now;
        for (var i = 1; i <= 10; i++)
        {
            Clock.Advance(TimeSpan.FromMilliseconds(400));
            Index(feed, "BTC", 60_000m + (100m * i));
            Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        }

        var last = Now;
        Assert.Equal(start.AddSeconds(4), last);
        Clock.Advance(TimeSpan.FromSeconds(1.3));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Empty(Snapshots.Saves);
        Clock.Advance(TimeSpan.FromSeconds(0.1));

        AwaitAssert(() => Assert.Single(Snapshots.Saves));
        AssertSaved(0, new IndexReference("BTC", 61_000m, last, false, null));
        Clock.Advance(TimeSpan.FromMinutes(1));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Single(Snapshots.Saves);

        Index(feed, "BTC", 61_100m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        var next = Now;
        Clock.Advance(TimeSpan.FromSeconds(5));
        AwaitAssert(() => Assert.Equal(2, Snapshots.Saves.Count));
        AssertSaved(1, new IndexReference("BTC", 61_100m, next, false, null));
        AwaitAssert(() => Assert.Equal([IndexReferenceStore.SequenceNrOf(next)], Snapshots.RowsOf(Btc)));
        Assert.Empty(Snapshots.RowsOf("price-index-ETH"));
    }

    /// <summary>
    /// An operator's override is saved at once, armed (near 42,000, with the index and time of the market file, nothing
    /// being accepted yet), and again at once when the jump to 42,000 spends it, without waiting for the interval.
    /// </summary>
    [Fact]
    public void An_override_is_saved_at_once_when_armed_and_again_when_spent()
    {
        var feed = StartStoredFeed();
        var probe = CreateTestProbe();
        feed.Tell(new AcceptNextIndex("BTC", 42_000m), probe.Ref);
        probe.ExpectMsg<NextIndexWillBeAccepted>();

        AwaitAssert(() => Assert.Single(Snapshots.Saves));
        AssertSaved(0, new IndexReference("BTC", 60_000m, FileTime, true, 42_000m));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 42_000m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());

        AwaitAssert(() => Assert.Equal(2, Snapshots.Saves.Count));
        AssertSaved(1, new IndexReference("BTC", 42_000m, Now, false, null));
        AwaitAssert(() => Assert.Equal([IndexReferenceStore.SequenceNrOf(Now)], Snapshots.RowsOf(Btc)));
    }

    /// <summary>
    /// An override restored armed (72,000 as of the clock's now) is spent by a jump the feed stamped a second earlier
    /// (30,000, within the 5 s a price may be old; the restarted node has no timestamp to call it out of order). The spent
    /// state must be what the next restart loads: saved as of the armed one's sequence number (replacing it), not below
    /// it, where the armed row would stay the newest and arm the override again.
    /// </summary>
    [Fact]
    public async Task An_override_spent_by_a_jump_stamped_before_the_restored_reference_is_not_armed_again_by_the_next_restart()
    {
        var restoredAt = Now;
        await Store(new IndexReference("BTC", 72_000m, restoredAt, true, null));
        var feed = StartStoredFeed();

        Index(feed, "BTC", 30_000m, restoredAt.AddSeconds(-1));
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());

        AwaitAssert(() => Assert.Equal(2, Snapshots.Saves.Count));
        var loaded = await new IndexReferenceStore(Snapshots, Registry, FileTime).LoadAsync("BTC");
        Assert.Equal(new IndexReference("BTC", 30_000m, restoredAt.AddSeconds(-1), false, null), loaded?.Reference);
        Assert.Equal([IndexReferenceStore.SequenceNrOf(restoredAt)], Snapshots.RowsOf(Btc));
    }

    /// <summary>A save that fails is logged and tried again an interval later: 61,000 is stored at the second attempt.</summary>
    [Fact]
    public void A_failed_save_is_logged_and_tried_again_after_the_interval()
    {
        Snapshots.FailSaves = 1;
        var feed = StartStoredFeed();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 61_000m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        var accepted = Now;

        Clock.Advance(TimeSpan.FromSeconds(5));
        AwaitAssert(() => Assert.Contains(Logs.Entries, e => e.Level == LogLevel.Warning
            && e.Message == "BTC: the index reference could not be saved; trying again in 00:00:05"));
        Assert.Empty(Snapshots.RowsOf(Btc));

        // The retry is armed just after the warning is logged: the clock moves on until it has fired.
        AwaitAssert(() =>
        {
            Clock.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal([IndexReferenceStore.SequenceNrOf(accepted)], Snapshots.RowsOf(Btc));
        });
        Assert.Equal(2, Snapshots.Saves.Count);
    }

    /// <summary>
    /// A stored reference newer than the market file is the band's reference and its override is armed: 72,000 saved
    /// with an override for any level. 66,000 (10% from the file's 60,000) is 8.3% from it: accepted, and leaves the
    /// override armed; 30,000 (a 54.5% fall) spends it.
    /// </summary>
    [Fact]
    public async Task A_stored_reference_newer_than_the_market_file_is_the_reference_with_its_override()
    {
        await Store(new IndexReference("BTC", 72_000m, Now.AddSeconds(-30), true, null));
        var feed = StartStoredFeed();

        IndicesAccepted(feed, "BTC", 66_000m, 30_000m);

        var stats = Stats(feed);
        Assert.Equal((1L, 0L), (stats.IndexJumpsOverridden, stats.TotalRejected));
    }

    /// <summary>
    /// A stored reference that is not valid (an index of 0, or one stamped an hour ahead of the clock, as a damaged row
    /// would read) is not used: logged, and the band starts from the market file's 60,000, where 56,000 is accepted.
    /// </summary>
    [Theory]
    [InlineData(0, 0, "Index = 0,")]
    [InlineData(80_000, 3600, "Index = 80000,")]
    public async Task A_stored_reference_that_is_not_valid_is_logged_and_the_market_file_is_the_reference(int index, int aheadSeconds, string named)
    {
        await Store(new IndexReference("BTC", index, Now.AddSeconds(aheadSeconds - 30), false, null));
        var feed = StartStoredFeed();

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 56_000m);

        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        Assert.Contains(Logs.Entries, e => e.Level == LogLevel.Error && e.Message.StartsWith("BTC: the stored index reference IndexReference { Asset = BTC, " + named, StringComparison.Ordinal)
            && e.Message.EndsWith("is not valid; the band starts from the market file's index 60000", StringComparison.Ordinal));
    }

    /// <summary>
    /// The newest stored reference is damaged (stamped an hour ahead of the clock: 80,000), and beneath it is a valid one
    /// another node saved since (72,000, stamped 30 s ago). The damaged one is passed over (logged), not allowed to hide the valid one:
    /// 79,000 (9.72% from 72,000) is accepted, where the market file's 60,000 would refuse it as 31.7%. Before, the band
    /// started from the file and every node that restarted then saved above the damaged row, hiding the saves of nodes
    /// that had not restarted from every later restart.
    /// </summary>
    [Fact]
    public async Task A_stored_reference_that_is_not_valid_is_passed_over_for_the_valid_one_beneath_it()
    {
        var saved = Now.AddSeconds(-30);
        // Saved after the damaged row (a save deletes only the rows below its own).
        await Store(new IndexReference("BTC", 80_000m, Now.AddHours(1), false, null));
        await Store(new IndexReference("BTC", 72_000m, saved, false, null));
        var feed = StartStoredFeed();

        IndicesAccepted(feed, "BTC", 79_000m);

        Assert.Contains(Logs.Entries, e => e.Level == LogLevel.Error && e.Message.StartsWith("BTC: the stored index reference IndexReference { Asset = BTC, Index = 80000,", StringComparison.Ordinal)
            && e.Message.EndsWith($"is not valid; passed over for the older 72000 as of {saved:O}", StringComparison.Ordinal));
    }

    /// <summary>
    /// The newest stored row does not read (a newer node's form of the reference, version 99, saved an hour ahead), and
    /// beneath it is a valid one another node saved (72,000, 30 s ago): the row is passed over (logged with why), not
    /// allowed to hide the valid one, so 79,000 is accepted. Before, the whole read failed and the band started from
    /// the market file's 60,000, which refuses 79,000 as a jump.
    /// </summary>
    [Fact]
    public async Task A_stored_row_that_does_not_read_is_passed_over_for_the_valid_one_beneath_it()
    {
        var saved = Now.AddSeconds(-30);
        var unreadable = IndexReferenceStore.SequenceNrOf(Now.AddHours(1));
        await Snapshots.SaveAsync(Btc, unreadable, new SerializedPayload("prices.index-reference", 99, "{}"u8.ToArray()));
        await Store(new IndexReference("BTC", 72_000m, saved, false, null));
        var feed = StartStoredFeed();

        IndicesAccepted(feed, "BTC", 79_000m);

        Assert.Contains(Logs.Entries, e => e.Level == LogLevel.Error
            && e.Message.StartsWith(FormattableString.Invariant($"BTC: the stored index reference as of sequence number {unreadable} does not read: "), StringComparison.Ordinal)
            && e.Message.EndsWith($"passed over for the older 72000 as of {saved:O}", StringComparison.Ordinal));
    }

    /// <summary>A store that cannot be read at start leaves every band at the market file's index (logged): 56,000 is accepted.</summary>
    [Fact]
    public void A_store_that_cannot_be_read_leaves_the_band_at_the_market_file()
    {
        Snapshots.FailLoads = true;
        var feed = StartStoredFeed();

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 56_000m);

        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        Assert.Contains(Logs.Entries, e => e.Level == LogLevel.Error
            && e.Message == "BTC: the stored index reference could not be read; the band starts from the market file's index 60000");
    }

    private IActorRef StartStoredFeed() =>
        Sys.ActorOf(PriceFeed.Props(MarketDefinition.Of(Latest.Current, Assets), Latest, [Model], new PriceOptions(), new PriceCounters(),
            new IndexReferenceStore(Snapshots, Registry, FileTime)), "prices");

    private Task Store(IndexReference reference) => new IndexReferenceStore(Snapshots, Registry, FileTime).SaveAsync(reference);

    private void AssertSaved(int index, IndexReference expected)
    {
        var (id, sequenceNr, payload) = Snapshots.Saves[index];
        Assert.Equal((Btc, IndexReferenceStore.SequenceNrOf(expected.Timestamp)), (id, sequenceNr));
        Assert.Equal(expected, Registry.Deserialize<IndexReference>(payload));
    }
}
