using System.Collections.Concurrent;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Snapshots;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// A snapshot store in memory that records every save and counts the loads, and fails the next <see cref="FailSaves"/>
/// saves or every load when told to (as a database that is away would), or holds saves until <see cref="Gate"/> opens
/// (one slow to commit) or loads until <see cref="LoadGate"/> opens (one slow to answer).
/// </summary>
public sealed class RecordingSnapshotStore : ISnapshotStore
{
    private readonly ConcurrentDictionary<(string Id, long SequenceNr), SerializedPayload> _rows = new();
    private readonly ConcurrentQueue<(string Id, long SequenceNr, SerializedPayload Payload)> _saves = new();
    private readonly ConcurrentDictionary<string, int> _loads = new();
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

    /// <summary>When set, a load is counted at once but answered (from the rows as they are then) only once this completes.</summary>
    public TaskCompletionSource? LoadGate { get; set; }

    /// <summary>How many loads of <paramref name="id"/> were asked for, failed and held ones included.</summary>
    public int LoadsOf(string id) => _loads.GetValueOrDefault(id);

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
        _loads.AddOrUpdate(persistenceId, 1, (_, n) => n + 1);
        return LoadGate is { } gate ? LoadOnceOpenAsync(gate.Task, persistenceId, maxSequenceNr) : Load(persistenceId, maxSequenceNr);
    }

    private async Task<SelectedSnapshot?> LoadOnceOpenAsync(Task gate, string persistenceId, long maxSequenceNr)
    {
        await gate.ConfigureAwait(false);
        return await Load(persistenceId, maxSequenceNr).ConfigureAwait(false);
    }

    private Task<SelectedSnapshot?> Load(string persistenceId, long maxSequenceNr)
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
