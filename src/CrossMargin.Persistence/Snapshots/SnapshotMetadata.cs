namespace CrossMargin.Persistence.Snapshots;

/// <summary>Which state a snapshot captures: the entity and the sequence number of the last event folded into it.</summary>
/// <param name="PersistenceId">The entity.</param>
/// <param name="SequenceNr">The last event included; recovery replays from the next one.</param>
/// <param name="Timestamp">When the snapshot was saved (set by the store's <see cref="TimeProvider"/> on save).</param>
public sealed record SnapshotMetadata(string PersistenceId, long SequenceNr, DateTimeOffset Timestamp);
