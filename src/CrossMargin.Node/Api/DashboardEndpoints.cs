using CrossMargin.Node.Security;

namespace CrossMargin.Node.Api;

/// <summary>
/// The dashboard: <c>/</c> and its script and style under <c>/dashboard/</c>, embedded in the node's assembly (no
/// CDN, no build step). The page holds no data; it reads the API and <c>/api/events</c>, so it needs
/// <see cref="SecurityOptions.AllowAnonymousReads"/> (a browser's EventSource cannot send a bearer token).
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
