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

    /// <summary>How often a live tagged stream looks for events written by another process. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
