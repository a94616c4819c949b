using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Persistence.Serialization;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// <see cref="IndexReferenceStore"/> on the embedded SQLite snapshot store, as the nodes of a cluster share one store:
/// each saves its references, and a restarted node loads one.
/// </summary>
public sealed class IndexReferenceStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private AccountHost _host = null!;

    public async Task InitializeAsync() => _host = await AccountHost.OpenAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>
    /// The stored form (manifest <c>prices.index-reference</c>, version 1), as this build writes it and any later build
    /// must still read it: decimals exact, the timestamp with its offset, the level null for an override at any level.
    /// </summary>
    [Fact]
    public void An_index_reference_is_stored_as_versioned_json_and_read_back_exactly()
    {
        var registry = PriceEvents.Register(new EventTypeRegistry());
        var reference = new IndexReference("BTC", 80_000.25m, T0, true, 42_000m);
        const string Json = """{"asset":"BTC","index":80000.25,"timestamp":"2026-03-02T09:00:00+00:00","acceptNext":true,"acceptNear":42000}""";

        var payload = registry.Serialize(reference);

        Assert.Equal(("prices.index-reference", 1), (payload.Manifest, payload.Version));
        Assert.Equal(Json, System.Text.Encoding.UTF8.GetString(payload.Bytes.Span));
        Assert.Equal(reference, registry.Deserialize<IndexReference>(new CrossMargin.Persistence.SerializedPayload("prices.index-reference", 1, System.Text.Encoding.UTF8.GetBytes(Json))));
        Assert.Equal(reference with { AcceptNext = false, AcceptNear = null },
            registry.Deserialize<IndexReference>(registry.Serialize(reference with { AcceptNext = false, AcceptNear = null })));
    }

    /// <summary>
    /// The ids of the overrides armed (session 31) are an optional field of version 1: written only when there are any, in
    /// order, and a row without it (one every node wrote before) still reads, as none.
    /// </summary>
    [Fact]
    public void The_override_ids_are_an_optional_field_of_the_stored_reference()
    {
        var registry = PriceEvents.Register(new EventTypeRegistry());
        var reference = new IndexReference("BTC", 24_000m, T0, false, null, ["op-1", "op-2"]);
        const string Json = """{"asset":"BTC","index":24000,"timestamp":"2026-03-02T09:00:00+00:00","acceptNext":false,"acceptNear":null,"overrideIds":["op-1","op-2"]}""";

        var payload = registry.Serialize(reference);

        Assert.Equal(Json, System.Text.Encoding.UTF8.GetString(payload.Bytes.Span));
        Assert.Equal(["op-1", "op-2"], registry.Deserialize<IndexReference>(payload).OverrideIds);
        const string Older = """{"asset":"BTC","index":24000,"timestamp":"2026-03-02T09:00:00+00:00","acceptNext":false,"acceptNear":null}""";
        Assert.Equal(reference with { OverrideIds = null },
            registry.Deserialize<IndexReference>(new CrossMargin.Persistence.SerializedPayload("prices.index-reference", 1, System.Text.Encoding.UTF8.GetBytes(Older))));
    }

    /// <summary>
    /// n1 saves 80,000 as of T0+4 s; n2, lagging, saves 70,000 as of T0+2 s after it. A restarted node loads 80,000, the
    /// newest by feed timestamp, not the last written. n1's next save (81,000 as of T0+5 s) deletes both older rows.
    /// The sequence number is the feed timestamp in microseconds since 1970 (1,772,442,004,000,000 for T0+4 s).
    /// </summary>
    [Fact]
    public async Task The_reference_loaded_is_the_newest_by_feed_timestamp_whichever_node_saved_last()
    {
        var store = new IndexReferenceStore(_host.Services.SnapshotStore, PriceEvents.Register(new EventTypeRegistry()), T0.AddHours(-1));
        var n1 = new IndexReference("BTC", 80_000m, T0.AddSeconds(4), false, null);
        await store.SaveAsync(n1);
        await store.SaveAsync(new IndexReference("BTC", 70_000m, T0.AddSeconds(2), false, null));

        Assert.Equal((n1, 1_772_442_004_000_000L), await store.LoadAsync("BTC"));
        Assert.Equal(1_772_442_004_000_000L, IndexReferenceStore.SequenceNrOf(n1.Timestamp));
        Assert.Equal(1_772_442_004_000_000L, (await _host.Services.SnapshotStore.LoadAsync("price-index-BTC"))!.Metadata.SequenceNr);

        var next = new IndexReference("BTC", 81_000m, T0.AddSeconds(5), false, null);
        await store.SaveAsync(next);
        Assert.Equal(next, (await store.LoadAsync("BTC"))?.Reference);
        Assert.Null(await _host.Services.SnapshotStore.LoadAsync("price-index-BTC", IndexReferenceStore.SequenceNrOf(next.Timestamp) - 1));
        Assert.Null(await store.LoadAsync("ETH"));
    }
}
