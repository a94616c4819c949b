using CrossMargin.Node.Hosting;
using CrossMargin.Persistence.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// On a cluster node, puts in force the parameter sets other nodes apply: it listens on PostgreSQL's notification channel
/// of the parameter history (each append notifies in its own transaction, so a notice means a committed version) and
/// reads the history on every notice and at least every <see cref="RiskParameterOptions.PollInterval"/>, so a notice
/// lost with a dropped connection is caught by the next read. Does nothing on an embedded node.
/// </summary>
public sealed class ParameterPropagation(EngineHost host, IOptions<ClusterModeOptions> cluster, IOptions<RiskParameterOptions> options,
    ILogger<ParameterPropagation> log) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!cluster.Value.Enabled)
        {
            return;
        }

        Engine.RiskEngine engine;
        try
        {
            engine = await host.Started.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var interval = options.Value.PollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(cluster.Value.PostgresConnectionString);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresPersistence.ParameterNotificationChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Read once after LISTEN: a version stored between start-up and now has no notice left to hear.
                await RefreshAsync(engine, stoppingToken);
                while (!stoppingToken.IsCancellationRequested)
                {
                    // A notice or the interval, whichever comes first: either way the history is read.
                    await connection.WaitAsync(interval, stoppingToken);
                    await RefreshAsync(engine, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
            {
                log.LogWarning(e, "Following the risk parameter history failed; retrying in {Interval}", interval);
                try
                {
                    await Task.Delay(interval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RefreshAsync(Engine.RiskEngine engine, CancellationToken cancellation)
    {
        if (host.Parameters is { } parameters)
        {
            await parameters.RefreshAsync(engine, cancellation);
        }
    }
}
