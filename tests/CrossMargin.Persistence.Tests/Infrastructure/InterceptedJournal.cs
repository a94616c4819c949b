using System.Runtime.CompilerServices;
using CrossMargin.Persistence.Journal;

namespace CrossMargin.Persistence.Tests.Infrastructure;

/// <summary>
/// A real journal with hooks between a recovery's reads: what another transaction (a write of an earlier incarnation that
/// timed out on the client but was still committing) can do between them.
/// </summary>
public sealed class InterceptedJournal(IJournal inner) : IJournal
{
    private int _afterReplayTaken;
    private int _beforeHighestTaken;

    /// <summary>Runs once, when a replay has read its last event and before it ends.</summary>
    public Func<Task>? AfterReplay { get; set; }

    /// <summary>Runs once, before the highest sequence number is read.</summary>
    public Func<Task>? BeforeReadHighest { get; set; }

    public Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default) =>
        inner.WriteMessagesAsync(writes, cancellationToken);

    public async IAsyncEnumerable<PersistentRepresentation> ReplayMessagesAsync(
        string persistenceId, long fromSequenceNr = 1, long toSequenceNr = long.MaxValue, long max = long.MaxValue,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var stored in inner.ReplayMessagesAsync(persistenceId, fromSequenceNr, toSequenceNr, max, cancellationToken))
        {
            yield return stored;
        }

        if (Interlocked.Exchange(ref _afterReplayTaken, 1) == 0 && AfterReplay is { } hook)
        {
            await hook();
        }
    }

    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _beforeHighestTaken, 1) == 0 && BeforeReadHighest is { } hook)
        {
            await hook();
        }

        return await inner.ReadHighestSequenceNrAsync(persistenceId, cancellationToken);
    }

    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) =>
        inner.DeleteMessagesToAsync(persistenceId, toSequenceNr, cancellationToken);

    public IAsyncEnumerable<TaggedEvent> EventsByTag(string tag, long fromOffset = 0, bool live = false, CancellationToken cancellationToken = default) =>
        inner.EventsByTag(tag, fromOffset, live, cancellationToken);
}
