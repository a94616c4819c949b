using System.Reflection;
using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Security;

namespace CrossMargin.Node.Api;

/// <summary>
/// The cluster and sharding views behind <c>cm cluster</c> and <c>cm cluster-sharding</c>. This node runs embedded
/// (one node, the in-process region): it is the only member and owns every shard at epoch 0; leave and down are
/// refused with 409, as there is no cluster to leave.
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
        api.MapGet("/cluster", (EngineHost host) => Results.Ok(ViewOf(host)));
        api.MapPost("/cluster/members/{name}/leave", (string name, EngineHost host) => NoCluster("leave", name, host)).RequireAccess(AccessLevel.Admin);
        api.MapPost("/cluster/members/{name}/down", (string name, EngineHost host) => NoCluster("down", name, host)).RequireAccess(AccessLevel.Admin);
        api.MapGet("/sharding/regions/account", async (EngineHost host, CancellationToken cancellation) =>
            await RegionAsync(host, cancellation) is { } region ? Results.Ok(region) : ApiBody.NotReady());
        api.MapGet("/sharding/regions/account/shards", async (EngineHost host, CancellationToken cancellation) =>
            await RegionAsync(host, cancellation) is { } region ? Results.Ok(region.Shards) : ApiBody.NotReady());
        api.MapGet("/sharding/regions/account/locate/{accountId}", (string accountId, EngineHost host) =>
        {
            if (string.IsNullOrWhiteSpace(accountId))
            {
                return Results.Problem("An account id is required.", statusCode: StatusCodes.Status400BadRequest, title: "Bad account id");
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

    private static async Task<RegionStats?> RegionAsync(EngineHost host, CancellationToken cancellation)
    {
        if (host.Engine is not { } engine)
        {
            return null;
        }

        var stats = await engine.Accounts.Ask<ShardRegionStats>(GetShardRegionStats.Instance, TimeSpan.FromSeconds(10), cancellation);
        var node = host.Node;
        var shards = Enumerable.Range(0, node.ShardCount)
            .Select(id => new ShardStats(id, node.Name, 0, stats.Stats.ContainsKey(id), stats.Stats.GetValueOrDefault(id), null))
            .ToArray();
        return new RegionStats("account", node.Name, node.ShardCount, stats.Stats.Count, stats.TotalEntities, shards);
    }

    private static IResult NoCluster(string verb, string name, EngineHost host) =>
        Results.Problem(
            $"No cluster in embedded mode: node {host.Node.Name} runs alone, so there is no member '{name}' to {verb}. " +
            "Cluster membership arrives with the multi-node cluster.",
            statusCode: StatusCodes.Status409Conflict, title: "No cluster in embedded mode");
}
