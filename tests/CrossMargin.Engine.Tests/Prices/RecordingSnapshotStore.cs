using System.Collections.Concurrent;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Snapshots;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// A snapshot store in memory that records every save, and fails the next <see cref="FailSaves"/> saves or every load
/// when told to (as a database that is away would), or holds saves until <see cref="Gate"/> opens (one slow to commit).
/// </summary>
public sealed class RecordingSnapshotStore : ISnapshotStore
{
    private readonly ConcurrentDictionary<(string Id, long SequenceNr), SerializedPayload> _rows = new();
    private readonly ConcurrentQueue<(string Id, long SequenceNr, SerializedPayload Payload)> _saves = new();
    private int _failSaves;

    /// <summary>Every save, in the order it was made, failed ones included.</summary>
    public IReadOnlyList<(string Id, long SequenceNr, SerializedPayload Payload)> Saves => [.. _saves];

    /// <summary>How many of the next saves throw.</summary>
    public int FailSaves
    {
        get => Volatile.Read(ref _failSaves);
        set => Volatile.Write(ref _failSaves, value);
    }

    /// <summary>When set, a save is recorded at once but stored (and completes) only once this completes.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Whether every load throws.</summary>
    public bool FailLoads { get; set; }

    /// <summary>The rows kept for <paramref name="id"/>, by sequence number.</summary>
    public IReadOnlyList<long> RowsOf(string id) => [.. _rows.Keys.Where(k => k.Id == id).Select(k => k.SequenceNr).Order()];

    /// <inheritdoc />
    public Task<SnapshotMetadata> SaveAsync(string persistenceId, long sequenceNr, SerializedPayload snapshot, CancellationToken cancellationToken = default)
    {
        _saves.Enqueue((persistenceId, sequenceNr, snapshot));
        if (Interlocked.Decrement(ref _failSaves) >= 0)
        {
            return Task.FromException<SnapshotMetadata>(new InvalidOperationException("the database is away"));
        }

        Interlocked.Exchange(ref _failSaves, 0);
        return Gate is { } gate ? StoreOnceOpenAsync(gate.Task, persistenceId, sequenceNr, snapshot) : Task.FromResult(Store(persistenceId, sequenceNr, snapshot));
    }

    private async Task<SnapshotMetadata> StoreOnceOpenAsync(Task gate, string persistenceId, long sequenceNr, SerializedPayload snapshot)
    {
        await gate.ConfigureAwait(false);
        return Store(persistenceId, sequenceNr, snapshot);
    }

    private SnapshotMetadata Store(string persistenceId, long sequenceNr, SerializedPayload snapshot)
    {
        _rows[(persistenceId, sequenceNr)] = snapshot;
        return new SnapshotMetadata(persistenceId, sequenceNr, DateTimeOffset.UnixEpoch);
    }

    /// <inheritdoc />
    public Task<SelectedSnapshot?> LoadAsync(string persistenceId, long maxSequenceNr = long.MaxValue, CancellationToken cancellationToken = default)
    {
        if (FailLoads)
        {
            return Task.FromException<SelectedSnapshot?>(new InvalidOperationException("the database is away"));
        }

        var newest = _rows.Where(r => r.Key.Id == persistenceId && r.Key.SequenceNr <= maxSequenceNr).OrderByDescending(r => r.Key.SequenceNr).FirstOrDefault();
        return Task.FromResult(newest.Value is null ? null : new SelectedSnapshot(new SnapshotMetadata(persistenceId, newest.Key.SequenceNr, DateTimeOffset.UnixEpoch), newest.Value));
    }

    /// <inheritdoc />
    public Task DeleteAsync(string persistenceId, long maxSequenceNr, CancellationToken cancellationToken = default)
    {
        foreach (var key in _rows.Keys.Where(k => k.Id == persistenceId && k.SequenceNr <= maxSequenceNr))
        {
            _rows.TryRemove(key, out _);
        }

        return Task.CompletedTask;
    }
}
