using CrossMargin.Node.Hosting;
using CrossMargin.Node.Metrics;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Api;

/// <summary>Registers and maps the node's HTTP API.</summary>
public static class ApiExtensions
{
    /// <summary>Kestrel on <see cref="NodeOptions.HttpUrl"/>, JSON settings and the metrics exporter.</summary>
    public static WebApplicationBuilder AddCrossMarginApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var node = builder.Configuration.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
        builder.WebHost.UseUrls(node.HttpUrl);
        builder.Services.AddSingleton(_ => new PrometheusExporter("CrossMargin"));
        return builder;
    }

    /// <summary>Maps health, readiness, metrics and the message endpoints.</summary>
    public static WebApplication MapCrossMarginApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _ = app.Services.GetRequiredService<PrometheusExporter>();
        _ = app.Services.GetRequiredService<IOptions<NodeOptions>>().Value;
        app.MapGet("/health", () => Results.Ok(new { status = "healthy" }));
        app.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        return app;
    }
}
