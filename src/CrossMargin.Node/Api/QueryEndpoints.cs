using CrossMargin.Node.Accounts;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Hosting;

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
        // This node's live accounts, as /accounts: in a cluster, those of the shards it owns.
        api.MapGet("/expiries/unsettled", async (EngineHost host, LiveAccounts live, CancellationToken cancellation) =>
            host.Engine is { } engine
                ? Results.Ok(UnsettledExpiries.Of(await live.GetAsync(cancellation), engine.Market.Current))
                : ApiBody.NotReady());
        api.MapGet("/prices/stats", async (EngineHost host, CancellationToken cancellation) =>
            host.Engine is { } engine ? Results.Ok(await engine.GetPriceStatsAsync(cancellation)) : ApiBody.NotReady());
    }

    private static IResult Answer(object reply)
    {
        var (status, body) = AccountAnswers.ForQuery(reply);
        return Results.Json(body, statusCode: status);
    }
}
