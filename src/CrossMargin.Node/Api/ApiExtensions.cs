using System.Text.Json.Serialization;
using CrossMargin.Actors;
using CrossMargin.Contracts;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Node.Accounts;
using CrossMargin.Node.Events;
using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Metrics;
using CrossMargin.Node.Rejections;
using CrossMargin.Node.Security;
using CrossMargin.Node.Simulation;
using CrossMargin.Simulator;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Sqlite;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Api;

/// <summary>Registers the engine and maps the node's HTTP API.</summary>
public static class ApiExtensions
{

    /// <summary>
    /// The engine's options (each bound from its section and validated at start), the engine as a hosted service,
    /// Kestrel on <see cref="NodeOptions.HttpUrl"/> with a body size limit, JSON settings and the metrics exporter.
    /// </summary>
    public static WebApplicationBuilder AddCrossMarginEngine(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<ActorSystemOptions>().Bind(configuration.GetSection(ActorSystemOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ActorSystemOptions>, ActorSystemOptionsValidator>();
        services.AddOptions<PersistenceOptions>().Bind(configuration.GetSection(PersistenceOptions.SectionName));
        services.AddOptions<JournalOptions>().Bind(configuration.GetSection("Persistence:Journal"));
        // Validated when the embedded store opens: its data directory is the node's (Node:DataDirectory), not a setting of its own.
        services.AddOptions<SqlitePersistenceOptions>().Bind(configuration.GetSection("Persistence:Sqlite"));
        services.AddOptions<PriceOptions>().Bind(configuration.GetSection("Prices")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PriceOptions>, PriceOptionsValidator>();
        services.AddOptions<LiquidationOptions>().Bind(configuration.GetSection(LiquidationOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LiquidationOptions>, LiquidationOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<ClusterModeOptions>().Bind(configuration.GetSection(ClusterModeOptions.SectionName))
            .Validate(o => o.BreachReportInterval >= TimeSpan.Zero, "Cluster:BreachReportInterval must be zero (every report) or more.")
            .Validate(o => o.SequenceGapHold >= TimeSpan.Zero && o.SequenceGapHold <= TimeSpan.FromMinutes(5),
                "Cluster:SequenceGapHold must be from zero (apply a gap at once) to 5 minutes.")
            .Validate(o => o.JournalAppendConnections is >= 1 and <= 64, "Cluster:JournalAppendConnections must be from 1 to 64.")
            .Validate(o => o.JournalLinger >= TimeSpan.Zero && o.JournalLinger <= TimeSpan.FromSeconds(1), "Cluster:JournalLinger must be from 0 to 1 s.").ValidateOnStart();
        services.AddOptions<ClusterNodeOptions>().Bind(configuration.GetSection(ClusterModeOptions.SectionName));
        services.AddOptions<RabbitMqOptions>().Bind(configuration.GetSection(RabbitMqOptions.SectionName));
        services.AddSingleton<EngineHost>();
        services.AddHostedService(sp => sp.GetRequiredService<EngineHost>());
        services.AddOptions<RiskParameterOptions>().Bind(configuration.GetSection(RiskParameterOptions.Section))
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.PollInterval <= TimeSpan.FromHours(1),
                "RiskParameters:PollInterval must be more than zero and at most 01:00:00.").ValidateOnStart();
        services.AddHostedService<ParameterPropagation>();
        services.AddOptions<SimulatorOptions>().Bind(configuration.GetSection(SimulatorOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SimulatorOptions>, SimulatorOptionsValidator>();
        services.AddHostedService<SimulatorHost>();

        var node = configuration.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
        builder.WebHost.UseUrls(node.HttpUrl);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = ContractReader.MaxBatchBytes);
        services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        services.AddSingleton(_ => new PrometheusExporter("CrossMargin"));
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        services.AddSingleton<TokenAuthenticator>();
        services.AddSingleton<AuditLog>();
        services.AddOptions<RejectionOptions>().Bind(configuration.GetSection(RejectionOptions.Section))
            .Validate(o => o.RecentEntries is >= 1 and <= RejectionOptions.MaxRecentEntries,
                "Rejections:RecentEntries must be from 1 to 100,000.").ValidateOnStart();
        services.AddSingleton(sp => new RejectionLog(sp.GetRequiredService<IOptions<RejectionOptions>>().Value.RecentEntries, sp.GetRequiredService<ILoggerFactory>()));
        services.AddProblemDetails();
        services.AddSingleton<LiveAccounts>();
        services.AddSingleton<EventHub>();
        services.AddHostedService<EventHubHost>();
        return builder;
    }

    /// <summary>Maps health, readiness, metrics and the message and query endpoints.</summary>
    public static WebApplication MapCrossMarginApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Created now, not on the first scrape: measurements made before a listener exists are lost.
        _ = app.Services.GetRequiredService<PrometheusExporter>();

        // An exception becomes a bare 500 problem (a trace id, never the exception or its stack); a request Kestrel
        // refuses (too large, unreadable) keeps its 4xx; an empty 4xx/5xx gets a problem body.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // An account that could not write, or did not answer in time, applied nothing the caller can rely on: a
            // retry with the same message id is safe, so it is told to retry (503), not that the node broke (500).
            StatusCodeSelector = e => e switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                AccountUnavailableException or AskTimeoutException => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseMiddleware<SecurityMiddleware>();
        app.MapGet("/health", () => Results.Ok(new { status = "healthy" })).RequireAccess(AccessLevel.Anonymous);
        // Silent prices degrade readiness without failing it: every node gets the same feed, so taking nodes out of
        // rotation would stop the pre-trade checks and margin calls that still run, and liquidations pause by themselves.
        app.MapGet("/ready", (EngineHost host) => host.Engine is not { } engine
            ? Results.Json(new { status = "starting" }, statusCode: StatusCodes.Status503ServiceUnavailable)
            : engine.SilentAssets() is { Count: > 0 } silent
                ? Results.Ok(new { status = "degraded", silentPrices = silent, silentAfter = engine.Settings.Prices.SilentAfter })
                : Results.Ok(new { status = "ready" })).RequireAccess(AccessLevel.Anonymous);
        app.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        MessageEndpoints.Map(app);
        QueryEndpoints.Map(app);
        LiquidationEndpoints.Map(app);
        IndexOverrideEndpoints.Map(app);
        ClusterEndpoints.Map(app);
        RiskEndpoints.Map(app);
        DiagnosticsEndpoints.Map(app);
        EventEndpoints.Map(app);
        DashboardEndpoints.Map(app);
        return app;
    }
}
