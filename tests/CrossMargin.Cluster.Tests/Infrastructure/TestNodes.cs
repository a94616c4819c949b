using System.Diagnostics;
using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.Leases;
using CrossMargin.Cluster.Membership;
using CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;
using Npgsql;

namespace CrossMargin.Cluster.Tests.Infrastructure;

/// <summary>
/// One test's cluster: a fresh database, one host log shared by its nodes, and the nodes built over them with the
/// tests' options (twelve shards, a 100 ms tick, the liquidation coordinator). Disposing it stops the nodes that tick
/// on their own loop, then closes the database.
/// </summary>
public sealed class TestNodes : IAsyncDisposable
{
    /// <summary>Shards in the tests' region.</summary>
    public const int ShardCount = 12;

    /// <summary>
    /// The heartbeat timeout of a node that must never look dead by time. A stepped cluster heartbeats once a round, and
    /// a round of three or four nodes on a loaded machine (load 10-16 on two cores) takes longer than a second: a shorter
    /// timeout let the coordinator take a live node for gone and plan its shards away (or give it none). A node a test
    /// means to be dead or frozen is made so at once (<see cref="ClusterDatabase.StaleHeartbeatAsync"/>, a left or downed
    /// status); its leases still expire by time.
    /// </summary>
    public static readonly TimeSpan LiveHeartbeat = TimeSpan.FromMinutes(1);

    private readonly List<ClusterNode> _looping = [];
    private readonly List<NpgsqlDataSource> _dataSources = [];

    private TestNodes(ClusterDatabase db) => Db = db;

    /// <summary>The cluster's database and stores.</summary>
    public ClusterDatabase Db { get; }

    /// <summary>What every node of the cluster was told to start and stop, in one order.</summary>
    public HostLog Log { get; } = new();

    /// <summary>A cluster over a fresh database of <paramref name="fixture"/>'s server.</summary>
    public static async Task<TestNodes> CreateAsync(PostgresServerFixture fixture) => new(await ClusterDatabase.CreateAsync(fixture));

    /// <summary>The tests' options for node <paramref name="id"/>: a 30 s lease, two moves at once, a heartbeat live for the whole test.</summary>
    public static ClusterNodeOptions Options(string id, TimeSpan? ttl = null, int maxMoves = 2, string? brokerUser = null, TimeSpan? heartbeat = null)
    {
        var options = new ClusterNodeOptions
        {
            NodeId = id,
            BrokerUser = brokerUser,
            HttpAddress = $"http://127.0.0.1/{id}",
            ShardCount = ShardCount,
            TickInterval = TimeSpan.FromMilliseconds(100),
            LeaseTtl = ttl ?? TimeSpan.FromSeconds(30),
            HeartbeatTimeout = heartbeat ?? LiveHeartbeat,
            MaxConcurrentMoves = maxMoves,
            HandOffTimeout = TimeSpan.FromSeconds(5),
        };
        options.Singletons.Add("liquidation-coordinator");
        return options;
    }

    /// <summary>A node over the cluster's database, recording to its log unless given its own <paramref name="host"/>; not joined yet.</summary>
    public ClusterNode Node(string id, TimeSpan? ttl = null, int maxMoves = 2, string? brokerUser = null, TimeSpan? heartbeat = null, IClusterHost? host = null) =>
        new(Options(id, ttl, maxMoves, brokerUser, heartbeat), Db.Membership, Db.Leases, Db.Assignments, host ?? new RecordingHost(id, Log));

    /// <summary>
    /// A node like <see cref="Node"/> whose every statement crosses <paramref name="proxy"/>, so a test can cut it off from
    /// the database (<see cref="FreezingProxy.Freeze"/>: nothing answers, not even a cancellation); not joined yet.
    /// </summary>
    public ClusterNode NodeThrough(FreezingProxy proxy, string id, TimeSpan ttl, IClusterHost host)
    {
        var dataSource = Db.DataSourceThrough(proxy.Port);
        _dataSources.Add(dataSource);
        return new(Options(id, ttl), new PostgresMembership(dataSource), new PostgresLeaseStore(dataSource), new PostgresShardAssignments(dataSource), host);
    }

    /// <summary>Joins each node without its loop: the test steps it.</summary>
    public static async Task<ClusterNode[]> JoinAsync(params ClusterNode[] nodes)
    {
        foreach (var node in nodes)
        {
            await node.JoinAsync(startLoop: false);
        }

        return nodes;
    }

    /// <summary>Joins one stepped node per name (the tests' options) and steps them two rounds: the shards spread, the singletons run.</summary>
    public async Task<ClusterNode[]> SettledAsync(params string[] ids)
    {
        var nodes = await JoinAsync([.. ids.Select(id => Node(id))]);
        await RoundsAsync(2, nodes);
        return nodes;
    }

    /// <summary>
    /// Joins <paramref name="node"/> with its own loop (stopped when the cluster is disposed) and waits until it serves
    /// every shard; returns how long that took (or the bound, 10 s, when it never did).
    /// </summary>
    public async Task<TimeSpan> RunUntilServingAllAsync(ClusterNode node)
    {
        await RunAsync(node);
        return await UntilAsync(() => node.Shards.Count == ShardCount, TimeSpan.FromSeconds(10));
    }

    /// <summary>Joins <paramref name="node"/> with its own loop, stopped when the cluster is disposed.</summary>
    public Task RunAsync(ClusterNode node)
    {
        _looping.Add(node);
        return node.JoinAsync();
    }

    /// <summary>Each node ticks once per round, in order.</summary>
    public static async Task RoundsAsync(int rounds, params ClusterNode[] nodes)
    {
        for (var i = 0; i < rounds; i++)
        {
            foreach (var node in nodes)
            {
                await node.TickAsync();
            }
        }
    }

    /// <summary>Every shard is held by exactly one of <paramref name="nodes"/>.</summary>
    public static void AssertEachShardServedOnce(params ClusterNode[] nodes)
    {
        var held = nodes.SelectMany(n => n.Shards.Keys).ToList();
        Assert.Equal(Enumerable.Range(0, ShardCount), held.Order());
    }

    /// <summary>Polls until <paramref name="condition"/> holds; returns how long it took (or the bound, when it never did).</summary>
    public static async Task<TimeSpan> UntilAsync(Func<bool> condition, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < bound)
        {
            await Task.Delay(50);
        }

        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _looping)
        {
            await node.DisposeAsync();
        }

        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }

        await Db.DisposeAsync();
    }
}
