namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// How the SQLite store's commits and checkpoints have gone since it opened (or since
/// <see cref="SqlitePersistence.ResetStatistics"/>): the figures that show whether commits wait for checkpoints.
/// </summary>
/// <param name="Commits">Journal write transactions committed.</param>
/// <param name="SlowCommits">Of those, the ones whose COMMIT took longer than <see cref="SlowCommitThreshold"/>.</param>
/// <param name="LongestCommit">The longest COMMIT (an inline auto-checkpoint runs inside it).</param>
/// <param name="Checkpoints">Times the background checkpointer brought the WAL back to its start.</param>
/// <param name="DeferredCheckpoints">Rounds past the threshold that did not take the write lock because commits kept adding many frames per pass.</param>
/// <param name="LongestCheckpointLock">The longest time a background checkpoint held the write lock (commits waited at most this).</param>
/// <param name="LongestCheckpointPass">The longest background checkpoint pass (copy and fsync), which commits did not wait for.</param>
/// <param name="LongestLockedPass">The parts of the pass that held the write lock longest (<see cref="LongestCheckpointLock"/>).</param>
/// <param name="LongestPreSync">The longest fsync of the bulk passes' pages before the locked pass, which commits did not wait for.</param>
/// <param name="CommitP99">The 99th percentile of the COMMITs, to 50 µs; <see cref="TimeSpan.MaxValue"/> past 50 ms.</param>
/// <param name="WriteBackStarts">Times an unlocked checkpoint pass started the write-out of the pages it copied (none where the kernel offers no way).</param>
/// <param name="WriteBackPages">Dirty pages those starts found, in all (a page copied again after its write-out counts again); 0 where the kernel cannot say.</param>
/// <param name="LongestWriteBackStart">The longest of those starts (one waits only when the disk's queue is full).</param>
/// <param name="MostDirtyPagesAtPreSync">The most database pages dirty with no write-out started when an fsync before a locked pass began; null where the kernel cannot say.</param>
public sealed record SqliteStatistics(
    long Commits, long SlowCommits, TimeSpan LongestCommit, long Checkpoints, long DeferredCheckpoints, TimeSpan LongestCheckpointLock, TimeSpan LongestCheckpointPass,
    SqliteLockedPass LongestLockedPass, TimeSpan LongestPreSync, TimeSpan CommitP99, long WriteBackStarts, long WriteBackPages, TimeSpan LongestWriteBackStart, long? MostDirtyPagesAtPreSync)
{
    /// <summary>A COMMIT longer than this counts in <see cref="SlowCommits"/>: 10 ms.</summary>
    public static readonly TimeSpan SlowCommitThreshold = TimeSpan.FromMilliseconds(10);
}
