using CrossMargin.Engine.Prices;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Security;

namespace CrossMargin.Node.Api;

/// <summary>
/// The operator's way past the index move band (<see cref="PriceOptions.MaxIndexMoveFraction"/>):
/// <c>POST /api/v1/prices/accept-next-index/{asset}</c>, an admin call (audited), arms <see cref="AcceptNextIndex"/>: the
/// next index of the asset that passes the other checks is accepted whatever its move, once. A single node answers 200
/// with the index in force; a cluster node publishes it on the marks exchange, so that every node's price actors get it
/// in the stream they take prices from, and answers 202 with its own index in force and the override's id (every node
/// arms an id once). 404 for an asset the market does
/// not price. <c>?near=42000</c> arms it for that level only (an index within the band of it); 400 when not positive.
/// </summary>
public static class IndexOverrideEndpoints
{
    /// <summary>Maps the endpoint under <c>/api/v1</c>.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGroup("/api/v1").MapPost("/prices/accept-next-index/{asset}", AcceptNextIndexAsync).RequireAccess(AccessLevel.Admin);
    }

    private static async Task<IResult> AcceptNextIndexAsync(string asset, decimal? near, EngineHost host, HttpContext context, CancellationToken cancellation)
    {
        if (near is <= 0m)
        {
            return Results.Problem($"near must be a positive index, not {near}.", statusCode: StatusCodes.Status400BadRequest, title: "Bad level");
        }

        if (host.Engine is not { } engine)
        {
            return ApiBody.NotReady();
        }

        if (!engine.Market.Current.HasPrice(asset))
        {
            return Results.Problem($"The market has no index for {asset}.", statusCode: StatusCodes.Status404NotFound, title: "Unknown asset");
        }

        var last = engine.Market.Current.PriceOf(asset);
        if (host.Cluster is { } cluster)
        {
            // One id for the command: a node that gets it twice (in the stored state it starts from and in its queue) arms it once.
            var id = Guid.NewGuid().ToString("N");
            await cluster.PublishAcceptNextIndexAsync(asset, near, id, cancellation);
            AuditLog.Describe(context, $"next {asset} index{Near(near)} accepted whatever its move, on every node (this node's index {last}; override {id})");
            return Results.Json(new { outcome = "published", asset, near, lastIndex = last, id }, statusCode: StatusCodes.Status202Accepted);
        }

        switch (await engine.AcceptNextIndexAsync(asset, near, cancellationToken: cancellation))
        {
            case NextIndexWillBeAccepted armed:
                AuditLog.Describe(context, $"next {asset} index{Near(near)} accepted whatever its move (index {armed.LastIndex})");
                return Results.Ok(new { outcome = "armed", asset, near, lastIndex = armed.LastIndex });
            case PriceRejected rejected:
                return Results.Problem(rejected.Message, statusCode: StatusCodes.Status404NotFound, title: "Unknown asset");
            case var other:
                throw new InvalidOperationException($"The price feed answered {other.GetType().Name} to {nameof(AcceptNextIndex)}.");
        }
    }

    private static string Near(decimal? near) => near is { } level ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" within the band of {level}") : "";
}
