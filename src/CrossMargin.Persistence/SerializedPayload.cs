namespace CrossMargin.Persistence;

/// <summary>
/// A versioned envelope: the bytes of an event or snapshot with the manifest (which type) and the schema version
/// they were written with. The journal and snapshot store keep exactly this; turning it into objects is the job of
/// <see cref="Serialization.EventTypeRegistry"/>.
/// </summary>
public sealed record SerializedPayload
{
    /// <summary>Creates an envelope.</summary>
    /// <param name="manifest">Stable name of the payload's type (not a CLR type name: it must survive renames).</param>
    /// <param name="version">Schema version of the bytes, from 1.</param>
    /// <param name="bytes">The serialized payload; the envelope does not copy it, so the caller must not change it afterwards.</param>
    public SerializedPayload(string manifest, int version, ReadOnlyMemory<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(manifest);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        Manifest = manifest;
        Version = version;
        Bytes = bytes;
    }

    /// <summary>Stable name of the payload's type.</summary>
    public string Manifest { get; }

    /// <summary>Schema version of <see cref="Bytes"/>, from 1.</summary>
    public int Version { get; }

    /// <summary>The serialized payload.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>True when both envelopes hold the same manifest, version and bytes.</summary>
    public bool Equals(SerializedPayload? other) =>
        other is not null && Manifest == other.Manifest && Version == other.Version && Bytes.Span.SequenceEqual(other.Bytes.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Manifest, Version, Bytes.Length);
}
