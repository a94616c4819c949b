using System.Text.Json;
using CrossMargin.Node.Events;
using CrossMargin.Node.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Api;

/// <summary>
/// <c>GET /api/events</c>: server-sent events for the dashboard and <c>cm cluster tail</c>. The stream opens with a
/// <c>member</c> event (the cluster view, as <c>GET /api/v1/cluster</c> answers it: in embedded mode, this node up), then <c>account</c> (status changes),
/// <c>liquidation</c> (orders issued, auto-deleveraging) and <c>prices</c> (at most twice a second); <c>?types=</c>
/// keeps a comma-separated subset. A comment line every 15 s keeps proxies from closing an idle stream.
/// </summary>
public static class EventEndpoints
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>Maps the stream and the latest price board (<c>GET /api/v1/market</c>).</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/api/v1/market", (EventHub hub) => hub.Prices is { } board ? Results.Ok(board) : ApiBody.NotReady());
        routes.MapGet("/api/events", StreamAsync);
    }

    private static async Task StreamAsync(HttpContext context, string? types, EventHub hub, EngineHost host, IOptions<JsonOptions> json, TimeProvider time)
    {
        var wanted = string.IsNullOrWhiteSpace(types)
            ? null
            : types.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var options = json.Value.SerializerOptions;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var cancellation = context.RequestAborted;
        using var subscription = hub.Subscribe();
        await response.WriteAsync("retry: 2000\n\n", cancellation);
        if (wanted is null || wanted.Contains("member"))
        {
            await WriteAsync(response, new NodeEvent("member", time.GetUtcNow(), await ClusterEndpoints.CurrentViewAsync(host, cancellation)), options, cancellation);
        }

        if ((wanted is null || wanted.Contains("prices")) && hub.Prices is { } board)
        {
            await WriteAsync(response, new NodeEvent("prices", time.GetUtcNow(), board), options, cancellation);
        }

        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                wait.CancelAfter(Heartbeat);
                bool more;
                try
                {
                    more = await subscription.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", cancellation);
                    await response.Body.FlushAsync(cancellation);
                    continue;
                }

                if (!more)
                {
                    break;
                }

                while (subscription.Reader.TryRead(out var @event))
                {
                    if (wanted is null || wanted.Contains(@event.Type))
                    {
                        await WriteAsync(response, @event, options, cancellation);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static async Task WriteAsync(HttpResponse response, NodeEvent @event, JsonSerializerOptions options, CancellationToken cancellation)
    {
        var data = JsonSerializer.Serialize(new { type = @event.Type, time = @event.Time, data = @event.Data }, options);
        await response.WriteAsync($"event: {@event.Type}\ndata: {data}\n\n", cancellation);
        await response.Body.FlushAsync(cancellation);
    }
}
