using CrossMargin.Actors;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// A listing extension replaces the price actor of each underlying that gets a new contract (a quarterly BTC future
/// schedule here, its horizon due for extension 10 s after the feed starts). The index band's state must come through
/// it: an operator's armed override and the feed's partial confirmation of a new level. BTC opens at 60,000.
/// </summary>
public sealed class IndexStateAcrossListingTests(ITestOutputHelper output) : PriceTestKit(output)
{
    private static readonly TimeSpan ExtensionDue = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Armed before the extension (no level), used after it: 24,000, a 60% fall only an operator can let through, is
    /// accepted by the new price actor and counted as overridden once. Before, the new actor started unarmed and refused
    /// it: the operator's command was lost without a word.
    /// </summary>
    [Fact]
    public void An_override_armed_before_a_listing_extension_is_spent_by_the_jump_after_it()
    {
        var feed = StartListingFeed();
        LetNextIndexThrough(feed, "BTC");

        ExtendListing();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 24_000m);

        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        AwaitAssert(() => Assert.Equal(24_000m, Latest.Current.PriceOf("BTC")));
        var stats = Stats(feed);
        Assert.Equal((1L, 0L), (stats.IndexJumpsOverridden, stats.RejectedFor(PriceRejectionReason.IndexJump)));
    }

    /// <summary>
    /// A confirmation under way when the price actor is replaced goes on counting: 42,000, 41,800 and 41,900 refused
    /// before the extension (three in a row), 42,100 and 41,950 refused after it (the fourth and fifth), 42,050 (the sixth,
    /// the fifth confirmation) accepted. Before, the chain restarted at the new actor and 42,050 was refused as the third.
    /// </summary>
    [Fact]
    public void A_confirmation_under_way_goes_on_counting_across_a_listing_extension()
    {
        var feed = StartListingFeed();
        foreach (var price in new[] { 42_000m, 41_800m, 41_900m })
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            Index(feed, "BTC", price);
            Assert.Equal(PriceRejectionReason.IndexJump, NextRejection().Reason);
        }

        ExtendListing();
        foreach (var (price, inARow) in new[] { (42_100m, 4), (41_950m, 5) })
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            Index(feed, "BTC", price);
            Assert.Contains($"({inARow} in a row at this level;", NextRejection().Message, StringComparison.Ordinal);
        }

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 42_050m);

        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        AwaitAssert(() => Assert.Equal(42_050m, Latest.Current.PriceOf("BTC")));
        Assert.Equal(1L, Stats(feed).IndexJumpsConfirmed);
    }

    /// <summary>
    /// An operator's override is armed and its save is slow to commit; the jump to 24,000 spends it meanwhile (its save
    /// waits for the first), and a listing extension replaces the price actor before the first save is done. The spent
    /// state must be saved at once, after the armed one: a restart must not arm the override again. Before, the new
    /// actor saved it only after the save interval (5 s), and the store held the override armed until then: a node
    /// restarted within it would let a second jump through on the same operator's command.
    /// </summary>
    [Fact]
    public void An_override_spent_while_its_arming_is_being_saved_is_saved_at_once_across_a_listing_extension()
    {
        var snapshots = new RecordingSnapshotStore { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var registry = PriceEvents.Register(new EventTypeRegistry());
        var fileTime = Now.AddDays(-1);
        var feed = StartListingFeed(new IndexReferenceStore(snapshots, registry, fileTime));
        LetNextIndexThrough(feed, "BTC");
        AwaitAssert(() => Assert.Single(snapshots.Saves));

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 24_000m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        var spentAt = Now;
        ExtendListing();
        // Answered by the new price actor (the feed holds it until the old one has stopped): the old one is gone.
        Mark(feed, TestMarket.BtcUsdt, -1m);
        Assert.Equal(PriceRejectionReason.NonPositivePrice, NextRejection().Reason);
        snapshots.Gate.SetResult();

        var store = new IndexReferenceStore(snapshots, registry, fileTime);
        // The store in memory answers at once.
        AwaitAssert(() => Assert.Equal(new IndexReference("BTC", 24_000m, spentAt, false, null), store.LoadAsync("BTC").GetAwaiter().GetResult()?.Reference));
    }

    /// <summary>
    /// A read of the peers' saved reference that a refused jump started (24,000, 60% from 60,000, which the peers took and
    /// saved) is still answering when a listing extension replaces BTC's price actor: its answer goes to the feed, which
    /// hands it to the new actor, and that one adopts it: 24,100 is accepted. An answer sent to the stopped actor would be
    /// lost, and the new one would read again only at its next refusal.
    /// </summary>
    [Fact]
    public async Task A_peers_reference_read_across_a_listing_extension_is_adopted_by_the_new_price_actor()
    {
        var snapshots = new RecordingSnapshotStore();
        var registry = PriceEvents.Register(new EventTypeRegistry());
        var fileTime = Now.AddDays(-1);
        var feed = StartListingFeed(new IndexReferenceStore(snapshots, registry, fileTime));
        // Answered once the feed has read the store at start: the peers save after that.
        Stats(feed);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await new IndexReferenceStore(snapshots, registry, fileTime).SaveAsync(new IndexReference("BTC", 24_000m, Now, false, null, ["op-1"]));
        snapshots.LoadGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Index(feed, "BTC", 24_000m);
        Assert.Equal(PriceRejectionReason.IndexJump, NextRejection().Reason);
        ExtendListing();
        Mark(feed, TestMarket.BtcUsdt, -1m);
        Assert.Equal(PriceRejectionReason.NonPositivePrice, NextRejection().Reason);
        snapshots.LoadGate.SetResult();
        AwaitAssert(() => Assert.Equal(1L, Stats(feed).IndexReferencesAdoptedFromPeers));

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 24_100m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
    }

    /// <summary>A feed listing quarterly BTC futures whose horizon is due for extension <see cref="ExtensionDue"/> after now.</summary>
    private IActorRef StartListingFeed(IndexReferenceStore? store = null)
    {
        var schedule = new ListingSchedule("BTC", "USDT", SettlementKind.Linear, 0.001m, 0.1m, ListingCycle.Quarterly, 1, Now, null);
        var definition = MarketDefinition.Of(Latest.Current, Assets) with
        {
            Listing = [schedule],
            ListedUntil = Now + (MarketDefinition.ListingHorizon / 2) + ExtensionDue,
        };
        return Sys.ActorOf(PriceFeed.Props(definition, Latest, [Model], new PriceOptions(), new PriceCounters(), store), "prices");
    }

    /// <summary>
    /// Moves the clock to the extension and waits until the feed has extended the listing; what is sent after that reaches
    /// the replaced price actors (the feed holds it until the old ones have stopped).
    /// </summary>
    private void ExtendListing()
    {
        Clock.Advance(ExtensionDue);
        AwaitAssert(() => Assert.Contains(Logs.Entries, e => e.Message.StartsWith("Listing known until", StringComparison.Ordinal)));
    }
}
