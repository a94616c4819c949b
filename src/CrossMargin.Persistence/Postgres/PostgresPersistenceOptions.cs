namespace CrossMargin.Persistence.Postgres;

/// <summary>How to reach the cluster's PostgreSQL journal.</summary>
public sealed class PostgresPersistenceOptions
{
    /// <summary>Npgsql connection string (host, port, database, user...). Required.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>LISTEN/NOTIFY channel that wakes live tagged streams on every node. Default <c>cm_journal</c>.</summary>
    public string NotificationChannel { get; set; } = "cm_journal";

    /// <summary>How often a live tagged stream polls anyway (a notification can be lost while reconnecting). Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
