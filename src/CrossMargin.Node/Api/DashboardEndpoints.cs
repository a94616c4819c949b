using CrossMargin.Node.Security;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Api;

/// <summary>
/// The dashboard: <c>/</c> and its script and style under <c>/dashboard/</c>, embedded in the node's assembly (no
/// CDN, no build step). The page holds no data; it reads the API and <c>/api/events</c> (with fetch, so it can send a
/// bearer token), and asks <c>GET /api/v1/access</c> first whether reads need a token, so it can ask the operator for
/// one before any call is refused.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["app.js"] = "text/javascript; charset=utf-8",
        ["app.css"] = "text/css; charset=utf-8",
    };

    /// <summary>Maps the page and its files.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/", () => File("index.html")).RequireAccess(AccessLevel.Anonymous);
        routes.MapGet("/dashboard/{file}", (string file) => File(file)).RequireAccess(AccessLevel.Anonymous);

        // Anonymous, so the page can learn whether to ask for a token; a wrong token presented here is still a 403.
        routes.MapGet("/api/v1/access", (HttpContext context, IOptions<SecurityOptions> security) =>
        {
            var caller = Caller.Of(context);
            return Results.Ok(new AccessAnswer(security.Value.AllowAnonymousReads, caller.Name, caller.Role is { } role ? ApiBody.Code(role) : null,
                security.Value.AllowAnonymousReads || caller.Role is not null));
        }).RequireAccess(AccessLevel.Anonymous);
    }

    private static IResult File(string name)
    {
        if (!ContentTypes.TryGetValue(name, out var contentType)
            || typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("CrossMargin.Node.Dashboard." + name) is not { } stream)
        {
            return Results.NotFound();
        }

        return Results.Stream(stream, contentType);
    }
}
