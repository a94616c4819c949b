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
}
