using CrossMargin.Persistence.Journal;

namespace CrossMargin.Persistence.Tests.Infrastructure;

/// <summary>
/// A real journal whose next write, once armed, waits at a gate the test opens and then commits whatever the caller's
/// token says: a write that hangs in the database and commits late, after its writer gave up on it.
/// </summary>
public sealed class GatedWriteJournal(IJournal inner) : IJournal
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _armed;

    /// <summary>Completes when the armed write has reached the gate.</summary>
    public Task Entered => _entered.Task;

    /// <summary>Makes the next write wait at the gate.</summary>
    public void Arm() => Volatile.Write(ref _armed, 1);

    /// <summary>Lets the held write through.</summary>
    public void Open() => _open.TrySetResult();

    public async Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _entered.TrySetResult();
            await _open.Task.Within();

            // Committed though the writer may have stopped waiting: as a transaction the server finishes after a client timeout.
            return await inner.WriteMessagesAsync(writes, CancellationToken.None);
        }

        return await inner.WriteMessagesAsync(writes, cancellationToken);
    }

    public IAsyncEnumerable<PersistentRepresentation> ReplayMessagesAsync(
        string persistenceId, long fromSequenceNr = 1, long toSequenceNr = long.MaxValue, long max = long.MaxValue, CancellationToken cancellationToken = default) =>
        inner.ReplayMessagesAsync(persistenceId, fromSequenceNr, toSequenceNr, max, cancellationToken);

    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default) =>
        inner.ReadHighestSequenceNrAsync(persistenceId, cancellationToken);

    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) =>
        inner.DeleteMessagesToAsync(persistenceId, toSequenceNr, cancellationToken);

    public IAsyncEnumerable<TaggedEvent> EventsByTag(string tag, long fromOffset = 0, bool live = false, CancellationToken cancellationToken = default) =>
        inner.EventsByTag(tag, fromOffset, live, cancellationToken);
}
