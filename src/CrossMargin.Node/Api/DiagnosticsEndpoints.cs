using CrossMargin.Node.Logging;
using CrossMargin.Node.Rejections;
using CrossMargin.Node.Security;

namespace CrossMargin.Node.Api;

/// <summary>
/// The node's recent log lines (<c>cm log peek</c>), its audit trail of admin calls and refusals, and the inbound
/// messages it refused (<c>cm rejections</c>).
/// </summary>
public static class DiagnosticsEndpoints
{
    private const int DefaultLines = 50;

    /// <summary>Maps the endpoints under <c>/api/v1</c>.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var api = routes.MapGroup("/api/v1");
        api.MapGet("/logs", (int? lines, LogRingSink ring) => lines is < 1 or > LogRingSink.Capacity
            ? Results.Problem($"lines must be between 1 and {LogRingSink.Capacity}, not {lines}.", statusCode: StatusCodes.Status400BadRequest, title: "Bad lines")
            : Results.Ok(new { lines = ring.Last(lines ?? DefaultLines) }));
        api.MapGet("/audit", (int? entries, AuditLog audit) => entries is < 1
            ? Results.Problem($"entries must be positive, not {entries}.", statusCode: StatusCodes.Status400BadRequest, title: "Bad entries")
            : Results.Ok(new { entries = audit.Recent(entries) }));
        api.MapGet("/rejections", (int? entries, RejectionLog rejections) => entries is < 1
            ? Results.Problem($"entries must be positive, not {entries}.", statusCode: StatusCodes.Status400BadRequest, title: "Bad entries")
            : Results.Ok(new { recorded = rejections.Recorded, kept = rejections.Capacity, rejections = rejections.Recent(entries ?? DefaultLines) }));
    }
}
