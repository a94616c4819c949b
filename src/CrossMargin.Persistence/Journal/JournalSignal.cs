namespace CrossMargin.Persistence.Journal;

/// <summary>
/// Wakes live tagged streams when events were committed. A reader takes <see cref="Next"/> before it queries, so a
/// pulse between its query and its wait is never lost.
/// </summary>
internal sealed class JournalSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
