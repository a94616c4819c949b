using System.Globalization;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>The private broker every cluster test of this project shares must last the whole suite.</summary>
[Collection(UsesClusterServers.Name)]
public sealed class TestBrokerTests(ClusterServers servers)
{
    // Each test cluster declares 10 quorum queues (8 shards, the liquidation and dead-letter queues) that stay until the
    // broker stops, and RabbitMQ's file handle cache counts handles for each. Under runuser the broker got the default
    // soft limit of 1024 open files (a cache limit of 927): once the suite's 46 clusters had used 955, a classic queue
    // deleted at a connection's close waited for a handle for ever, the connection never closed, and `rabbitmqctl stop`
    // at the end of the suite with it (session 26). 8192 leaves room for several times today's clusters.
    private const int HandlesNeeded = 8192;

    [Fact]
    public async Task The_shared_broker_has_file_handles_for_many_times_the_quorum_queues_the_suite_declares()
    {
        var limit = int.Parse((await servers.RabbitMq.CtlAsync(["eval", "file_handle_cache:get_limit()."])).Trim(), CultureInfo.InvariantCulture);

        Assert.True(limit >= HandlesNeeded, $"the broker's file handle limit is {limit}, below {HandlesNeeded}");
    }
}
