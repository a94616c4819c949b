using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Node.Clustering;

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
