namespace CrossMargin.Persistence.Sqlite;

/// <summary>Where and how the embedded SQLite journal keeps its file.</summary>
public sealed class SqlitePersistenceOptions
{
    /// <summary>The node's data directory; created when missing. Required.</summary>
    public string DataDirectory { get; set; } = string.Empty;

    /// <summary>File name of the database inside <see cref="DataDirectory"/>. Default <c>journal.db</c>.</summary>
    public string FileName { get; set; } = "journal.db";

    /// <summary>
    /// True (the default) for <c>synchronous=FULL</c>: a commit survives power loss, which is what "durable" means
    /// to an actor that acks a delivery after persisting. False (<c>NORMAL</c>) survives only a process crash.
    /// </summary>
    public bool SynchronousFull { get; set; } = true;

    /// <summary>
    /// Page cache of the write connection, in MiB. Default 64: a group-commit batch from many actors dirties pages
    /// all over the key index, and keeping them resident roughly doubled the measured events/s.
    /// </summary>
    public int CacheSizeMebibytes { get; set; } = 64;

    /// <summary>How long a statement waits for another process's write lock before failing. Default 5 s.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// True (the default): WAL checkpoints run on a background thread with their own connection, so a group commit
    /// never waits for a checkpoint's page writes and fsync (measured: 50 ms stalls at 20,000 executions/s with the
    /// checkpoint inline). False: the writer checkpoints after each commit that leaves the WAL at <see cref="CheckpointPages"/>
    /// or more, and the commit waits for it (as under SQLite's auto-checkpoint, which is never on: a failed fsync in it went unseen).
    /// </summary>
    public bool BackgroundCheckpoint { get; set; } = true;

    /// <summary>
    /// WAL size, in pages (frames), at which the WAL is checkpointed back to its start. Default 4,000 (16 MiB at
    /// SQLite's 4 KiB pages). In the background this costs commits one short pause (the frames committed during the
    /// bulk copy, and one fsync); inline it is the threshold of the writer's checkpoint after a commit.
    /// </summary>
    public int CheckpointPages { get; set; } = 4000;

    /// <summary>
    /// With <see cref="BackgroundCheckpoint"/>: the WAL size, in pages, at which commits checkpoint inline again
    /// (the writer's checked checkpoint after the commit), so the WAL stays bounded when the checkpointer falls behind or a long read pins
    /// it. Must exceed <see cref="CheckpointPages"/>. Default 40,000 (160 MiB).
    /// </summary>
    public int WalHardLimitPages { get; set; } = 40_000;

    /// <summary>
    /// With <see cref="BackgroundCheckpoint"/> on Linux: true starts the kernel's write-out of the pages each unlocked pass
    /// copied as soon as it has copied them, so that a round's fsync does not write them all at once beside the commits'
    /// WAL fsyncs. False (the default) leaves them to that fsync: on the 2-core benchmark machine the early start wrote
    /// several times the pages (a hot page again on every pass) and did not shorten the commits' tail (benchmarks
    /// README, "Session 19 (lead)"). Durability is the same either way.
    /// </summary>
    public bool EarlyWriteOut { get; set; }

    /// <summary>How often the background checkpointer copies the WAL into the database. Default 100 ms.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a live tagged stream looks for events written by another process. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
