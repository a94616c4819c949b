using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Snapshots;

namespace CrossMargin.Persistence.Tests.Infrastructure;

/// <summary>An opened backend as the shared specs see it.</summary>
public sealed class StoreUnderTest(IJournal journal, ISnapshotStore snapshots, IAsyncDisposable owner, Func<Task> crashNextCommit) : IAsyncDisposable
{
    public IJournal Journal { get; } = journal;

    public ISnapshotStore Snapshots { get; } = snapshots;

    /// <summary>Makes the next journal transaction die after its inserts and before COMMIT, the way the backend dies.</summary>
    public Task CrashNextCommitAsync() => crashNextCommit();

    public ValueTask DisposeAsync() => owner.DisposeAsync();
}
