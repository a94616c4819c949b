using System.Collections.Concurrent;
using CrossMargin.Persistence.Journal;

namespace CrossMargin.Persistence.Tests.Infrastructure;

/// <summary>A journal whose writes the test scripts (block, fail, reject); it records every batch it receives.</summary>
public sealed class ScriptedJournal : IJournal
{
    public ConcurrentQueue<IReadOnlyList<AtomicWrite>> Batches { get; } = new();

    /// <summary>What a batch does; default: every write succeeds at once.</summary>
    public Func<IReadOnlyList<AtomicWrite>, CancellationToken, Task<IReadOnlyList<Exception?>>> OnWrite { get; set; } =
        (writes, _) => Task.FromResult<IReadOnlyList<Exception?>>(new Exception?[writes.Count]);

    public Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default)
    {
        Batches.Enqueue(writes);
        return OnWrite(writes, cancellationToken);
    }

    public IAsyncEnumerable<PersistentRepresentation> ReplayMessagesAsync(string persistenceId, long fromSequenceNr = 1, long toSequenceNr = long.MaxValue, long max = long.MaxValue, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public IAsyncEnumerable<TaggedEvent> EventsByTag(string tag, long fromOffset = 0, bool live = false, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();
}
