using System.Text;
using System.Text.Json.Nodes;
using CrossMargin.Persistence.Serialization;

namespace CrossMargin.Persistence.Tests.Serialization;

/// <summary>
/// Versioned payloads: the golden files under Golden/ are payloads as earlier builds wrote them
/// (<c>manifest.vN.json</c>); they are checked in and must read for ever. Never edit one: add a new version.
/// </summary>
public sealed class EventTypeRegistryTests
{
    private static readonly string GoldenDirectory = Path.Combine(AppContext.BaseDirectory, "Serialization", "Golden");

    private static readonly Dictionary<string, object> Expected = new(StringComparer.Ordinal)
    {
        ["account-opened.v1.json"] = new AccountOpened("A-1001", "alice"),
        ["account-opened.v2.json"] = new AccountOpened("A-1001", "alice", "gold"),
        ["position-closed.v1.json"] = new PositionClosed("A-1001", "BTC-PERP", 1.5m),
        ["position-closed.v2.json"] = new PositionClosed("A-1001", "BTC-PERP", 1.5m),
    };

    [Fact]
    public void Every_golden_payload_still_reads_into_the_current_type()
    {
        var registry = Registry();
        var files = Directory.GetFiles(GoldenDirectory, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), files);
        Assert.All(files, file => Assert.Equal(Expected[file!], registry.Deserialize(Golden(file!))));
    }

    [Fact]
    public void An_old_payload_reads_after_a_field_was_added()
    {
        var opened = Registry().Deserialize<AccountOpened>(Golden("account-opened.v1.json"));

        Assert.Equal("standard", opened.Tier);
    }

    [Fact]
    public void The_current_version_serializes_exactly_as_its_golden_file()
    {
        var registry = Registry();

        foreach (var file in new[] { "account-opened.v2.json", "position-closed.v2.json" })
        {
            var golden = Golden(file);
            var written = registry.Serialize(Expected[file]);

            Assert.Equal(golden.Manifest, written.Manifest);
            Assert.Equal(golden.Version, written.Version);
            Assert.Equal(Encoding.UTF8.GetString(golden.Bytes.Span), Encoding.UTF8.GetString(written.Bytes.Span));
        }
    }

    [Fact]
    public void A_payload_round_trips_through_its_envelope()
    {
        var registry = Registry();
        var closed = new PositionClosed("A-7", "ETH-27MAR26", -3.25m);

        var payload = registry.Serialize(closed);

        Assert.Equal("position-closed", payload.Manifest);
        Assert.Equal(2, payload.Version);
        Assert.Equal(closed, registry.Deserialize(payload));
        Assert.Equal("position-closed", registry.ManifestOf(typeof(PositionClosed)));
    }

    [Fact]
    public void An_unknown_manifest_or_a_version_from_a_newer_build_fails_clearly()
    {
        var registry = Registry();

        var unknown = Assert.Throws<EventSerializationException>(() => registry.Deserialize(new SerializedPayload("margin-call", 1, "{}"u8.ToArray())));
        var future = Assert.Throws<EventSerializationException>(() => registry.Deserialize(new SerializedPayload("account-opened", 3, "{}"u8.ToArray())));
        var unregistered = Assert.Throws<EventSerializationException>(() => registry.Serialize("not an event"));

        Assert.Contains("margin-call", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("newer", future.Message, StringComparison.Ordinal);
        Assert.Contains("System.String", unregistered.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_or_type_cannot_be_registered_twice()
    {
        var registry = Registry();

        Assert.Throws<ArgumentException>(() => registry.Register("account-opened", 1, TestEventsJsonContext.Default.PositionClosed));
        Assert.Throws<ArgumentException>(() => registry.Register("another-name", 1, TestEventsJsonContext.Default.AccountOpened));
        Assert.True(registry.IsRegistered(typeof(PositionClosed)));
    }

    private static EventTypeRegistry Registry() =>
        new EventTypeRegistry()
            .Register("account-opened", 2, TestEventsJsonContext.Default.AccountOpened)
            .Register("position-closed", 2, TestEventsJsonContext.Default.PositionClosed)
            .RegisterUpcaster("position-closed", 1, RenameQtyToQuantity);

    private static JsonNode RenameQtyToQuantity(JsonNode v1)
    {
        var node = v1.AsObject();
        var quantity = node["qty"];
        node.Remove("qty");
        node["quantity"] = quantity;
        return node;
    }

    private static SerializedPayload Golden(string file)
    {
        var parts = file.Split('.');
        var version = int.Parse(parts[1].AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
        var text = File.ReadAllText(Path.Combine(GoldenDirectory, file)).TrimEnd('\n');
        return new SerializedPayload(parts[0], version, Encoding.UTF8.GetBytes(text));
    }
}
