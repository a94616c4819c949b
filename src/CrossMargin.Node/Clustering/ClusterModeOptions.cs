using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Postgres;

namespace CrossMargin.Node.Clustering;

/// <summary>Whether the node runs as a cluster member, and the shared stores it then uses (section <c>Cluster</c> of config/cluster.json).</summary>
public sealed class ClusterModeOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Cluster";

    /// <summary>Off: the embedded node (SQLite, in-process). On: PostgreSQL journal and leases, RabbitMQ delivery.</summary>
    public bool Enabled { get; set; }

    /// <summary>The PostgreSQL database every member shares (journal, snapshots, leases, membership).</summary>
    public string PostgresConnectionString { get; set; } = "";

    /// <summary>
    /// How often, at most, an account in liquidation or bankrupt has its breach report published to the liquidation
    /// queue (a change of status always is): accounts re-report on every re-assessment, and the coordinator needs one.
    /// </summary>
    public TimeSpan BreachReportInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a message from a shard queue whose sequence skips ahead of its source's highest + 1 is held (not applied,
    /// not acknowledged) waiting for the missing ones before it is applied with the gap reported; zero applies it at once.
    /// Longer than a node takes to return a lost shard's unacknowledged deliveries to the queue.
    /// </summary>
    public TimeSpan SequenceGapHold { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many connections the journal's appends get of their own (<see cref="PostgresPersistenceOptions.AppendConnections"/>),
    /// apart from the pool that reads and recoveries grow; from 1 to 64.
    /// </summary>
    public int JournalAppendConnections { get; set; } = 4;

    /// <summary>
    /// How long the member's journal writer lingers for more appends when it finds a batch's worth waiting
    /// (<see cref="JournalOptions.MaxBatchDelay"/>, from 0 to 1 s; in cluster mode it replaces
    /// <c>Persistence:Journal:MaxBatchDelay</c>). Default 2 ms. The members' appends take turns on the shared database's
    /// ordering row, so without it each member commits small batches and pays a transaction's fixed cost (fence check,
    /// ordering row, flush) over few events; under load 2 ms doubled the events per transaction and, in session 30's runs, cut
    /// the CPU per execution by about a tenth (a later quiet pair on a slower machine: within the noise;
    /// tests/CrossMargin.Benchmarks/README.md, "Session 30-31 (lead)"). A light load is not delayed: the
    /// writer lingers only when it finds <see cref="JournalOptions.LingerThreshold"/> appends waiting at once.
    /// </summary>
    public TimeSpan JournalLinger { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>The member's journal writer settings: <paramref name="journal"/> with <see cref="JournalLinger"/> as its linger.</summary>
    public JournalOptions ToJournalOptions(JournalOptions journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        return journal.WithMaxBatchDelay(JournalLinger);
    }

    /// <summary>The options of the member's PostgreSQL journal and snapshot store.</summary>
    public PostgresPersistenceOptions ToPostgresPersistenceOptions() => new()
    {
        ConnectionString = PostgresConnectionString,
        AppendConnections = JournalAppendConnections,

        // Nothing in a node reads tagged events live, so the per-append NOTIFY would be work nobody uses.
        NotifyOnAppend = false,
    };
}
