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

    /// <summary>How often a live tagged stream polls anyway (a notification can be lost while reconnecting). Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
