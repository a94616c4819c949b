using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace CrossMargin.Persistence.Serialization;

/// <summary>
/// Maps manifests to event (or snapshot) types and back, with System.Text.Json source-generated
/// <see cref="JsonTypeInfo{T}"/>s: each project registers its own types from its own JsonSerializerContext at
/// start-up. Payloads carry the version they were written with. Adding a field needs nothing (an old payload reads
/// with the field's default); a rename or reshape bumps the version and registers an upcaster that rewrites the
/// older JSON, so every payload ever written still reads.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly ConcurrentDictionary<string, Entry> _byManifest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, Entry> _byType = new();
    private readonly ConcurrentDictionary<(string Manifest, int FromVersion), Func<JsonNode, JsonNode>> _upcasters = new();

    /// <summary>
    /// Registers <typeparamref name="T"/> under <paramref name="manifest"/>, currently written as <paramref name="version"/>.
    /// </summary>
    /// <param name="manifest">Stable name stored with each payload (never the CLR name: types get renamed and moved).</param>
    /// <param name="version">The schema version new payloads are written with, from 1.</param>
    /// <param name="typeInfo">The source-generated metadata, e.g. <c>MyEventsJsonContext.Default.MyEvent</c>.</param>
    /// <exception cref="ArgumentException">The manifest or the type is registered already.</exception>
    public EventTypeRegistry Register<T>(string manifest, int version, JsonTypeInfo<T> typeInfo)
        where T : notnull
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(manifest);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var entry = new Entry(manifest, version, typeof(T), typeInfo);
        if (!_byManifest.TryAdd(manifest, entry))
        {
            throw new ArgumentException($"Manifest '{manifest}' is registered already (for {_byManifest[manifest].Type}).", nameof(manifest));
        }

        if (!_byType.TryAdd(typeof(T), entry))
        {
            _byManifest.TryRemove(manifest, out _);
            throw new ArgumentException($"{typeof(T)} is registered already (as '{_byType[typeof(T)].Manifest}').", nameof(typeInfo));
        }

        return this;
    }

    /// <summary>
    /// Registers how a payload of <paramref name="manifest"/> written at <paramref name="fromVersion"/> becomes one of
    /// version <paramref name="fromVersion"/> + 1. Reading applies the chain up to the current version; a version
    /// step without an upcaster reads unchanged (an added field).
    /// </summary>
    public EventTypeRegistry RegisterUpcaster(string manifest, int fromVersion, Func<JsonNode, JsonNode> upcast)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(manifest);
        ArgumentOutOfRangeException.ThrowIfLessThan(fromVersion, 1);
        ArgumentNullException.ThrowIfNull(upcast);
        if (!_upcasters.TryAdd((manifest, fromVersion), upcast))
        {
            throw new ArgumentException($"An upcaster for '{manifest}' version {fromVersion} is registered already.", nameof(fromVersion));
        }

        return this;
    }

    /// <summary>True when <paramref name="type"/> is registered.</summary>
    public bool IsRegistered(Type type) => _byType.ContainsKey(type);

    /// <summary>The manifest <paramref name="type"/> is stored under.</summary>
    /// <exception cref="EventSerializationException">The type is not registered.</exception>
    public string ManifestOf(Type type) => EntryOf(type).Manifest;

    /// <summary>Serializes <paramref name="value"/> (by its runtime type) into a versioned envelope.</summary>
    /// <exception cref="EventSerializationException">The type is not registered.</exception>
    public SerializedPayload Serialize(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var entry = EntryOf(value.GetType());
        return new SerializedPayload(entry.Manifest, entry.Version, JsonSerializer.SerializeToUtf8Bytes(value, entry.TypeInfo));
    }

    /// <summary>Reads an envelope back into an object of its registered type, upcasting older versions.</summary>
    /// <exception cref="EventSerializationException">Unknown manifest, a version newer than this build knows, or bytes that do not read.</exception>
    public object Deserialize(SerializedPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (!_byManifest.TryGetValue(payload.Manifest, out var entry))
        {
            throw new EventSerializationException($"Unknown manifest '{payload.Manifest}' (version {payload.Version}): no type is registered for it.");
        }

        if (payload.Version > entry.Version)
        {
            throw new EventSerializationException(
                $"'{payload.Manifest}' payload has version {payload.Version}, but this build knows only up to {entry.Version}: it was written by a newer node.");
        }

        try
        {
            if (payload.Version == entry.Version)
            {
                return JsonSerializer.Deserialize(payload.Bytes.Span, entry.TypeInfo)
                    ?? throw new EventSerializationException($"'{payload.Manifest}' payload is JSON null.");
            }

            var node = JsonNode.Parse(payload.Bytes.Span)
                ?? throw new EventSerializationException($"'{payload.Manifest}' payload is JSON null.");
            for (var version = payload.Version; version < entry.Version; version++)
            {
                if (_upcasters.TryGetValue((payload.Manifest, version), out var upcast))
                {
                    node = upcast(node);
                }
            }

            return node.Deserialize(entry.TypeInfo)
                ?? throw new EventSerializationException($"'{payload.Manifest}' payload is JSON null.");
        }
        catch (JsonException e)
        {
            throw new EventSerializationException($"'{payload.Manifest}' version {payload.Version} payload does not read as {entry.Type}: {e.Message}", e);
        }
    }

    /// <summary>Reads an envelope back as <typeparamref name="T"/>.</summary>
    /// <exception cref="EventSerializationException">As <see cref="Deserialize(SerializedPayload)"/>, or the payload is another type.</exception>
    public T Deserialize<T>(SerializedPayload payload) =>
        Deserialize(payload) is T value
            ? value
            : throw new EventSerializationException($"'{payload.Manifest}' payload is not a {typeof(T)}.");

    private Entry EntryOf(Type type) =>
        _byType.TryGetValue(type, out var entry)
            ? entry
            : throw new EventSerializationException($"{type} is not registered: register it with its manifest and JsonTypeInfo at start-up.");

    private sealed record Entry(string Manifest, int Version, Type Type, JsonTypeInfo TypeInfo);
}
