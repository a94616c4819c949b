using CrossMargin.Persistence.Journal;

namespace CrossMargin.Benchmarks.Journal;

/// <summary>A journal that stores nothing: the ceiling the batching writer and the simulated actors allow.</summary>
internal sealed class NullJournal : IJournal
{
    public Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Exception?>>(new Exception?[writes.Count]);

    public IAsyncEnumerable<PersistentRepresentation> ReplayMessagesAsync(string persistenceId, long fromSequenceNr = 1, long toSequenceNr = long.MaxValue, long max = long.MaxValue, CancellationToken cancellationToken = default) =>
        AsyncEnumerable.Empty<PersistentRepresentation>();

    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default) => Task.FromResult(0L);

    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public IAsyncEnumerable<TaggedEvent> EventsByTag(string tag, long fromOffset = 0, bool live = false, CancellationToken cancellationToken = default) =>
        AsyncEnumerable.Empty<TaggedEvent>();
}
