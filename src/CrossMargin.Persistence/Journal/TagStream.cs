using System.Runtime.CompilerServices;

namespace CrossMargin.Persistence.Journal;

/// <summary>
/// The page-and-wait loop behind <see cref="IJournal.EventsByTag"/>. It relies on the store committing orderings in
/// order (each backend guarantees that), so reading "after the last offset seen" never skips an event.
/// </summary>
internal static class TagStream
{
    public const int PageSize = 500;

    public static async IAsyncEnumerable<TaggedEvent> ReadAsync(
        Func<long, int, CancellationToken, Task<List<TaggedEvent>>> readPage,
        JournalSignal signal,
        long fromOffset,
        bool live,
        TimeSpan pollInterval,
        TimeProvider timeProvider,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var offset = fromOffset;
        while (true)
        {
            var wake = signal.Next;
            var page = await readPage(offset, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var tagged in page)
            {
                yield return tagged;
                offset = tagged.Offset;
            }

            if (page.Count == PageSize)
            {
                continue;
            }

            if (!live)
            {
                yield break;
            }

            // Polling as well as the signal: another process may write (and a notification may be lost).
            await Task.WhenAny(wake, Task.Delay(pollInterval, timeProvider, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
