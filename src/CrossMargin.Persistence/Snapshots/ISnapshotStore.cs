namespace CrossMargin.Persistence.Snapshots;

/// <summary>Snapshots of entity state, so recovery replays only the events after the latest one.</summary>
public interface ISnapshotStore
{
    /// <summary>
    /// Saves <paramref name="snapshot"/> of <paramref name="persistenceId"/> as of <paramref name="sequenceNr"/>;
    /// saving the same sequence number again replaces it. Completes when durable.
    /// </summary>
    /// <returns>The stored metadata (with the store's timestamp).</returns>
    Task<SnapshotMetadata> SaveAsync(string persistenceId, long sequenceNr, SerializedPayload snapshot, CancellationToken cancellationToken = default);

    /// <summary>The latest snapshot at or below <paramref name="maxSequenceNr"/>, or null.</summary>
    Task<SelectedSnapshot?> LoadAsync(string persistenceId, long maxSequenceNr = long.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>Deletes the snapshots of <paramref name="persistenceId"/> at or below <paramref name="maxSequenceNr"/>.</summary>
    Task DeleteAsync(string persistenceId, long maxSequenceNr, CancellationToken cancellationToken = default);
}
