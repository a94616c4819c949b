using CrossMargin.Node.Accounts;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Operations;

namespace CrossMargin.Node.Api;

/// <summary>
/// Read-only endpoints: an account, the live accounts' headline figures, an account's margin explanation, the accounts
/// still holding an expired instrument unsettled, the price feed's counters.
/// </summary>
public static class QueryEndpoints
{
    /// <summary>Maps the endpoints under <c>/api/v1</c>.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var api = routes.MapGroup("/api/v1");
        api.MapGet("/accounts/{accountId}", async (string accountId, EngineHost host, CancellationToken cancellation) =>
        {
            if (host.Engine is not { } engine)
            {
                return ApiBody.NotReady();
            }

            if (host.Cluster is { } cluster)
            {
                var relayed = await cluster.RequestAsync(accountId, "{}"u8.ToArray(), Guid.NewGuid().ToString("N"), AccountMessageTypes.GetAccount, host.AskTimeout, cancellation);
                return Results.Json(relayed.Body, statusCode: relayed.Status);
            }

            return Answer(await engine.GetAccountAsync(accountId, cancellation));
        });
        api.MapGet("/accounts/{accountId}/margin", async (string accountId, EngineHost host, CancellationToken cancellation) =>
        {
            if (host.Engine is not { } engine)
            {
                return ApiBody.NotReady();
            }

            if (host.Cluster is { } cluster)
            {
                // Only the owner may bring the account to life: a local ask would start a second copy on this node.
                var relayed = await cluster.RequestAsync(accountId, "{}"u8.ToArray(), Guid.NewGuid().ToString("N"), AccountMessageTypes.ExplainMargin, host.AskTimeout, cancellation);
                return Results.Json(relayed.Body, statusCode: relayed.Status);
            }

            return Answer(await engine.ExplainMarginAsync(accountId, cancellation));
        });
        api.MapGet("/accounts", async (LiveAccounts live, CancellationToken cancellation) =>
            Results.Ok(new { accounts = (await live.GetAsync(cancellation)).Select(LiveAccountSummary.Of).ToArray() }));
        api.MapGet("/expiries/unsettled", UnsettledAsync);
        api.MapGet("/prices/stats", async (EngineHost host, CancellationToken cancellation) =>
            host.Engine is { } engine ? Results.Ok(await engine.GetPriceStatsAsync(cancellation)) : ApiBody.NotReady());
    }

    /// <summary>
    /// On a cluster node, by default, every member's accounts (each asked for its local part, <c>?scope=local</c>, with the
    /// caller's token): a node alone knows only the shards it owns, and a settlement sent to part of the holders leaves the
    /// rest margined at the index. An embedded node, or <c>scope=local</c>, lists this node's live accounts.
    /// </summary>
    private static async Task<IResult> UnsettledAsync(string? scope, EngineHost host, LiveAccounts live, HttpContext context, CancellationToken cancellation)
    {
        if (ClusterFanOut.ScopeProblem(scope) is { } bad)
        {
            return bad;
        }

        if (host.Engine is not { } engine)
        {
            return ApiBody.NotReady();
        }

        var local = UnsettledExpiries.Of(await live.GetAsync(cancellation), engine.Market.Current);
        if (host.Cluster is not { } cluster || scope == ClusterFanOut.LocalScope)
        {
            return Results.Ok(local);
        }

        var (others, unserved) = await ClusterFanOut.TargetsAsync(cluster, cancellation);
        var answers = await ClusterFanOut.AskAsync<UnsettledExpiries>(others, $"/api/v1/expiries/unsettled?scope={ClusterFanOut.LocalScope}", null, context,
            host.AskTimeout, cancellation);
        return Results.Ok(ClusterTotals.Unsettled(local, [new MemberAnswer<UnsettledExpiries>(cluster.Options.NodeId, local, null), .. answers], unserved));
    }

    private static IResult Answer(object reply)
    {
        var (status, body) = AccountAnswers.ForQuery(reply);
        return Results.Json(body, statusCode: status);
    }
}
