using CrossMargin.Persistence.Snapshots;

namespace CrossMargin.Persistence;

/// <summary>The snapshot recovery starts from, offered to <see cref="PersistentActor"/>'s ReceiveRecover before the later events.</summary>
/// <param name="Metadata">Which persistence id and sequence number it covers.</param>
/// <param name="Snapshot">The deserialized state.</param>
public sealed record SnapshotOffer(SnapshotMetadata Metadata, object Snapshot);
