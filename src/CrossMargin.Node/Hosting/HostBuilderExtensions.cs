using CrossMargin.Node.Logging;
using Microsoft.Extensions.Options;
using Serilog;

namespace CrossMargin.Node.Hosting;

/// <summary>Composes the node's host: configuration files, options and logging.</summary>
public static class HostBuilderExtensions
{
    /// <summary>The prefix of environment variables that override configuration (<c>CROSSMARGIN_Node__ShardCount=16</c>).</summary>
    public const string EnvironmentPrefix = "CROSSMARGIN_";

    /// <summary>
    /// Reads every <c>*.json</c> of <paramref name="configDirectory"/> (one file per concern, in name order), then
    /// environment variables, then the command line; later sources win.
    /// </summary>
    public static WebApplicationBuilder AddCrossMarginConfiguration(this WebApplicationBuilder builder, string configDirectory, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.Sources.Clear();
        foreach (var file in Directory.GetFiles(configDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            builder.Configuration.AddJsonFile(file, optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddCommandLine(ConfigurationDirectory.WithoutOption(args));
        builder.Configuration["ConfigDirectory"] = configDirectory;
        builder.Services.AddOptions<NodeOptions>().Bind(builder.Configuration.GetSection(NodeOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>();
        return builder;
    }

    /// <summary>
    /// Serilog from the <c>Serilog</c> section (config/logging.json: console and a rolling file under the data
    /// directory), behind Microsoft.Extensions.Logging so the engine only ever sees <c>ILogger</c>.
    /// </summary>
    public static WebApplicationBuilder AddCrossMarginLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var node = builder.Configuration.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
        // The ring behind `cm log peek`: every event the configured sinks see, whatever their own levels.
        var ring = new LogRingSink();
        builder.Services.AddSingleton(ring);
        var logDirectory = Path.Combine(node.DataPath(builder.Configuration["ConfigDirectory"] ?? Directory.GetCurrentDirectory()), "logs");
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.WithProperty("Node", node.Name)
            .WriteTo.Sink(ring)
            .WriteTo.File(
                Path.Combine(logDirectory, "node-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 14,
                outputTemplate: "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);
        return builder;
    }
}
