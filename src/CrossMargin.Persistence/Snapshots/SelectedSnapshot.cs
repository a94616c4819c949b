namespace CrossMargin.Persistence.Snapshots;

/// <summary>A stored snapshot: its metadata and its serialized state.</summary>
/// <param name="Metadata">Which entity, up to which sequence number.</param>
/// <param name="Snapshot">The serialized state.</param>
public sealed record SelectedSnapshot(SnapshotMetadata Metadata, SerializedPayload Snapshot);
