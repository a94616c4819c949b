using System.Reflection;
using CrossMargin.Actors;
using CrossMargin.Cluster.Leases;
using CrossMargin.Cluster.Membership;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Security;

namespace CrossMargin.Node.Api;

/// <summary>
/// The cluster and sharding views behind <c>cm cluster</c> and <c>cm cluster-sharding</c>. On a cluster node they read
/// the membership rows and shard leases in PostgreSQL (any node answers for the whole cluster; entities per shard are
/// counted by each shard's owner, asked over its admin API with <c>?scope=local</c>), leave and down are
/// recorded there for the nodes to act on, and an account is located by asking its owner through its shard queue.
/// An embedded node (one node, the in-process region) is the only member and owns every shard at epoch 0; leave and
/// down are refused with 409, as there is no cluster to leave.
/// </summary>
public static class ClusterEndpoints
{
    /// <summary>The build version members report.</summary>
    public static string Version { get; } =
        typeof(ClusterEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Maps the endpoints under <c>/api/v1</c>.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var api = routes.MapGroup("/api/v1");
        api.MapGet("/cluster", async (EngineHost host, CancellationToken cancellation) => Results.Ok(await CurrentViewAsync(host, cancellation)));
        api.MapGet("/cluster/events", async (long? after, EngineHost host, CancellationToken cancellation) =>
            host.Cluster is { } cluster
                ? Results.Ok(await cluster.Membership.ReadEventsAsync(after ?? 0, 500, cancellation))
                : NoCluster("read the events of", host.Node.Name, host));
        api.MapPost("/cluster/members/{name}/leave", (string name, EngineHost host, HttpContext http, CancellationToken cancellation) =>
            SetStatusAsync(host, name, MemberStatus.Leaving, "leave", http, cancellation)).RequireAccess(AccessLevel.Admin);
        api.MapPost("/cluster/members/{name}/down", (string name, EngineHost host, HttpContext http, CancellationToken cancellation) =>
            SetStatusAsync(host, name, MemberStatus.Down, "down", http, cancellation)).RequireAccess(AccessLevel.Admin);
        api.MapGet("/sharding/regions/account", async (string? scope, EngineHost host, HttpContext context, CancellationToken cancellation) =>
            ScopeProblem(scope) ?? (await RegionAsync(host, scope, context, cancellation) is { } region ? Results.Ok(region) : ApiBody.NotReady()));
        api.MapGet("/sharding/regions/account/shards", async (string? scope, EngineHost host, HttpContext context, CancellationToken cancellation) =>
            ScopeProblem(scope) ?? (await RegionAsync(host, scope, context, cancellation) is { } region ? Results.Ok(region.Shards) : ApiBody.NotReady()));
        api.MapGet("/sharding/regions/account/locate/{accountId}", async (string accountId, EngineHost host, CancellationToken cancellation) =>
        {
            if (string.IsNullOrWhiteSpace(accountId))
            {
                return Results.Problem("An account id is required.", statusCode: StatusCodes.Status400BadRequest, title: "Bad account id");
            }

            if (host.Cluster is { } cluster)
            {
                // The broker, not this node, decides an account's shard: ask whoever consumes it.
                var reply = await cluster.RequestAsync(accountId, "{}"u8.ToArray(), Guid.NewGuid().ToString("N"), AccountMessageTypes.GetAccount, host.AskTimeout, cancellation);
                var name = LeaseNames.Shard(cluster.Options.Region, reply.Shard ?? 0);
                var epoch = (await cluster.Leases.ReadAsync(name, cancellation)).Where(l => l.Name == name).Select(l => l.Epoch).FirstOrDefault();
                return Results.Ok(new AccountLocation(accountId, reply.Shard ?? -1, reply.Node ?? "unknown", epoch));
            }

            return Results.Ok(new AccountLocation(accountId, ShardIds.Of(accountId, host.Node.ShardCount), host.Node.Name, 0));
        });
    }

    /// <summary>The cluster as this embedded node sees it.</summary>
    public static ClusterView ViewOf(EngineHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var node = host.Node;
        var shards = Enumerable.Range(0, node.ShardCount).Select(id => new ShardLease(id, 0)).ToArray();
        var self = new ClusterMember(node.Name, ["accounts", "prices", "liquidation"], host.Engine is null ? "joining" : "up", node.HttpUrl, Version,
            host.StartedAt, shards);
        return new ClusterView("embedded", node.Name, node.ShardCount, [self]);
    }

    /// <summary>The cluster as this node sees it: its membership rows and shard leases on a cluster node, itself alone when embedded.</summary>
    public static async Task<ClusterView> CurrentViewAsync(EngineHost host, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Cluster is { } cluster ? await ClusterViewOf(host, cluster, cancellation) : ViewOf(host);
    }

    /// <summary>The cluster as its membership rows and shard leases say, read by any node.</summary>
    private static async Task<ClusterView> ClusterViewOf(EngineHost host, ClusterRuntime cluster, CancellationToken cancellation)
    {
        var options = cluster.Options;
        var members = await cluster.Membership.ReadMembersAsync(options.HeartbeatTimeout, cancellation);
        var leases = (await cluster.Leases.ReadAsync(LeaseNames.ShardPrefix(options.Region), cancellation)).Where(l => l.IsLive).ToArray();
        var view = members.Select(m => new ClusterMember(
            m.NodeId,
            m.Roles,
            m.Status == MemberStatus.Up && !m.IsReachable ? "unreachable" : m.Status.ToString().ToLowerInvariant(),
            m.HttpAddress,
            m.Version,
            m.JoinedAt,
            leases.Where(l => l.Owner == m.NodeId).Select(l => new ShardLease(LeaseNames.ShardIdOf(options.Region, l.Name), l.Epoch)).OrderBy(l => l.ShardId).ToArray()))
            .ToArray();
        return new ClusterView("cluster", options.NodeId, options.ShardCount, view);
    }

    private static async Task<IResult> SetStatusAsync(EngineHost host, string name, MemberStatus status, string verb, HttpContext http, CancellationToken cancellation)
    {
        if (host.Cluster is not { } cluster)
        {
            return NoCluster(verb, name, host);
        }

        var by = $"operator via {host.Node.Name} from {http.Connection.RemoteIpAddress}";
        return await cluster.Membership.SetStatusAsync(name, status, $"{verb} requested by {by}", cancellation)
            ? Results.Accepted(value: new { member = name, status = status.ToString().ToLowerInvariant(), note = status == MemberStatus.Leaving
                ? "its shards are being handed off to the other members" : "its shards move to the other members once its leases expire" })
            : Results.Problem($"No member '{name}' in the cluster.", statusCode: StatusCodes.Status404NotFound, title: "Unknown member");
    }

    private static async Task<RegionStats?> RegionAsync(EngineHost host, string? scope, HttpContext context, CancellationToken cancellation)
    {
        if (host.Engine is not { } engine)
        {
            return null;
        }

        var stats = await engine.Accounts.Ask<ShardRegionStats>(GetShardRegionStats.Instance, TimeSpan.FromSeconds(10), cancellation);
        if (host.Cluster is { } cluster)
        {
            // Entities are counted on this node; owners and epochs come from the leases of the whole cluster.
            var options = cluster.Options;
            var leases = (await cluster.Leases.ReadAsync(LeaseNames.ShardPrefix(options.Region), cancellation)).Where(l => l.IsLive)
                .ToDictionary(l => LeaseNames.ShardIdOf(options.Region, l.Name));
            // A shard's backlog is its queue's ready count: the broker answers it to any node, owner or not.
            var depths = await QueueDepths.ReadyAsync(cluster.Broker, Enumerable.Range(0, options.ShardCount).Select(cluster.Names.Shard), cancellation);
            var clustered = Enumerable.Range(0, options.ShardCount)
                .Select(id => new ShardStats(id, leases.TryGetValue(id, out var l) ? l.Owner! : "unassigned", l?.Epoch ?? 0, stats.Stats.ContainsKey(id),
                    stats.Stats.GetValueOrDefault(id), depths.TryGetValue(cluster.Names.Shard(id), out var depth) ? depth : null))
                .ToArray();
            var local = new RegionStats("account", options.NodeId, options.ShardCount, stats.Stats.Count, stats.TotalEntities, clustered);
            return scope == ClusterFanOut.LocalScope ? local : await WholeRegionAsync(host, cluster, local, context, cancellation);
        }

        var node = host.Node;
        var shards = Enumerable.Range(0, node.ShardCount)
            .Select(id => new ShardStats(id, node.Name, 0, stats.Stats.ContainsKey(id), stats.Stats.GetValueOrDefault(id), null))
            .ToArray();
        return new RegionStats("account", node.Name, node.ShardCount, stats.Stats.Count, stats.TotalEntities, shards);
    }

    /// <summary>
    /// The region of the whole cluster: a shard's entities are counted by the member holding its lease (this node only
    /// sees the shards it runs), so every other member is asked for its local part; an owner that does not answer leaves
    /// its shards at zero and the answer partial.
    /// </summary>
    private static async Task<RegionStats> WholeRegionAsync(EngineHost host, ClusterRuntime cluster, RegionStats local, HttpContext context,
        CancellationToken cancellation)
    {
        var (others, _) = await ClusterFanOut.TargetsAsync(cluster, cancellation);
        var answers = await ClusterFanOut.AskAsync<RegionStats>(others, $"/api/v1/sharding/regions/account?scope={ClusterFanOut.LocalScope}", null, context,
            host.AskTimeout, cancellation);
        var parts = answers.Where(a => a.Part is not null).ToDictionary(a => a.Node, a => a.Part!, StringComparer.Ordinal);
        parts[local.Node] = local;
        var shards = local.Shards.Select(shard =>
                parts.TryGetValue(shard.Owner, out var owner) && owner.Shards.FirstOrDefault(x => x.ShardId == shard.ShardId) is { } counted
                    ? shard with { Started = counted.Started, Entities = counted.Entities }
                    : shard with { Started = false, Entities = 0 })
            .ToArray();
        var unanswered = answers.Where(a => a.Part is null).Select(a => $"{a.Node} ({a.Problem})").ToArray();
        var silentOwners = shards.Select(x => x.Owner).Distinct(StringComparer.Ordinal).Where(o => o != "unassigned" && !parts.ContainsKey(o)).ToArray();
        return new RegionStats("account", local.Node, local.ShardCount, shards.Count(x => x.Started), shards.Sum(x => x.Entities), shards, "cluster",
            unanswered.Length > 0 || silentOwners.Length > 0,
            [.. unanswered, .. silentOwners.Where(o => !answers.Any(a => a.Node == o)).Select(o => $"{o} (holds shards but was not asked: no fresh membership row)")]);
    }

    private static IResult? ScopeProblem(string? scope) => scope is null or "cluster" or ClusterFanOut.LocalScope
        ? null
        : Results.Problem($"scope must be 'cluster' (the default) or '{ClusterFanOut.LocalScope}' (this node's own region), not '{scope}'.",
            statusCode: StatusCodes.Status400BadRequest, title: "Bad scope");

    private static IResult NoCluster(string verb, string name, EngineHost host) =>
        Results.Problem(
            $"No cluster in embedded mode: node {host.Node.Name} runs alone, so there is no member '{name}' to {verb}. " +
            "Cluster membership arrives with the multi-node cluster.",
            statusCode: StatusCodes.Status409Conflict, title: "No cluster in embedded mode");
}
