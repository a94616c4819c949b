using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Node.Clustering;
using CrossMargin.Persistence.Journal;

namespace CrossMargin.Node.Tests.Clustering;

public sealed class ClusterModeOptionsTests
{
    [Fact]
    public void The_members_journal_takes_its_database_and_append_pool_from_the_cluster_section_and_sends_no_notifications()
    {
        var mode = new ClusterModeOptions { PostgresConnectionString = "Host=db;Database=cm", JournalAppendConnections = 7 };

        var options = mode.ToPostgresPersistenceOptions();

        Assert.Equal(("Host=db;Database=cm", 7, false), (options.ConnectionString, options.AppendConnections, options.NotifyOnAppend));
    }

    [Fact]
    public void The_members_journal_writer_lingers_as_the_cluster_section_says_and_keeps_the_rest_of_the_journal_section()
    {
        var journal = new JournalOptions { MaxBatchSize = 500, MaxBatchDelay = TimeSpan.Zero, LingerThreshold = 8, MaxPendingWrites = 100, CallTimeout = TimeSpan.FromSeconds(3) };

        var options = new ClusterModeOptions { JournalLinger = TimeSpan.FromMilliseconds(3) }.ToJournalOptions(journal);

        Assert.Equal((500, TimeSpan.FromMilliseconds(3), 8, 100, TimeSpan.FromSeconds(3)),
            (options.MaxBatchSize, options.MaxBatchDelay, options.LingerThreshold, options.MaxPendingWrites, options.CallTimeout));
        Assert.Equal(TimeSpan.Zero, journal.MaxBatchDelay);
    }

    [Fact]
    public void The_default_shard_stop_fits_within_the_hand_off_timeout_and_the_next_owners_hold()
    {
        ClusterRuntime.CheckOptions(new ClusterNodeOptions(), new ClusterModeOptions(), new RabbitMqOptions { ShardCount = new ClusterNodeOptions().ShardCount });
    }

    /// <summary>5 s cancel + 30 s drain + 5 s close = 40 s, against a 10 s hand-off and a 10 s hold: 20 s.</summary>
    [Fact]
    public void A_shard_stop_longer_than_the_hand_off_timeout_and_the_next_owners_hold_is_refused_naming_both()
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterRuntime.CheckOptions(new ClusterNodeOptions(), new ClusterModeOptions(),
            new RabbitMqOptions { ShardCount = new ClusterNodeOptions().ShardCount, HandlerDrainTimeout = TimeSpan.FromSeconds(30) }));

        Assert.Contains("HandlerDrainTimeout + ChannelCloseTimeout (00:00:40) must not exceed Cluster:HandOffTimeout + Cluster:SequenceGapHold (00:00:20)",
            error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hold_of_zero_applies_gaps_at_once_by_choice_and_leaves_the_stop_unchecked()
    {
        ClusterRuntime.CheckOptions(new ClusterNodeOptions(), new ClusterModeOptions { SequenceGapHold = TimeSpan.Zero },
            new RabbitMqOptions { ShardCount = new ClusterNodeOptions().ShardCount, HandlerDrainTimeout = TimeSpan.FromSeconds(30) });
    }
}
