using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Persistence.Snapshots;

namespace CrossMargin.Persistence;

/// <summary>What a <see cref="PersistentActor"/> needs: where events and snapshots go and how they are serialized.</summary>
/// <param name="Journal">Replays events and reads the highest sequence number.</param>
/// <param name="Writer">Appends events with group commit.</param>
/// <param name="SnapshotStore">Saves and loads snapshots.</param>
/// <param name="Registry">Maps event and snapshot types to manifests and back.</param>
/// <param name="WriterId">Recorded on each event: which node (and incarnation) wrote it.</param>
/// <param name="Options">Snapshot policy.</param>
public sealed record PersistenceServices(
    IJournal Journal,
    BatchingJournalWriter Writer,
    ISnapshotStore SnapshotStore,
    EventTypeRegistry Registry,
    string WriterId,
    PersistenceOptions Options)
{
    /// <summary>
    /// Read before each append: the lease the actor's writes are fenced with (a shard lease in a cluster), or null
    /// for unfenced writes. Read per append rather than once, so services can be shared by every entity of a shard.
    /// </summary>
    public Func<WriteFence?>? Fence { get; init; }
}
