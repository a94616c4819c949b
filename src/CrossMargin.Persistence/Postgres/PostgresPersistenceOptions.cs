namespace CrossMargin.Persistence.Postgres;

/// <summary>How to reach the cluster's PostgreSQL journal.</summary>
public sealed class PostgresPersistenceOptions
{
    /// <summary>Npgsql connection string (host, port, database, user...). Required.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>LISTEN/NOTIFY channel that wakes live tagged streams on every node. Default <c>cm_journal</c>.</summary>
    public string NotificationChannel { get; set; } = "cm_journal";

    /// <summary>
    /// Whether every append NOTIFYs <see cref="NotificationChannel"/> on commit, so live tagged streams on any node wake at
    /// once. Default true. A process whose database has no live tagged reader (a cluster node today) turns it off: the
    /// notification is a statement and a queue entry per append batch that nobody reads; live readers then find new
    /// events at their <see cref="PollInterval"/>.
    /// </summary>
    public bool NotifyOnAppend { get; set; } = true;

    /// <summary>
    /// Most server connections the journal's appends use, a pool of their own. Default 4 (a batching writer appends one
    /// batch at a time per writer loop). Npgsql hands out idle connections first in, first out: from the shared pool,
    /// which reads and recoveries had grown to dozens, each append batch went to the next connection in turn, and every
    /// server backend ran it with cold caches (measured in the cluster benchmark: the work spread evenly over all 65
    /// backends). Kept apart and small, appends come back to the same warm backends.
    /// </summary>
    public int AppendConnections { get; set; } = 4;

    /// <summary>How often a live tagged stream polls anyway (a notification can be lost while reconnecting). Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
