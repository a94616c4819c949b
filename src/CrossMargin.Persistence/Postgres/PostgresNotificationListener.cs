using CrossMargin.Persistence.Journal;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CrossMargin.Persistence.Postgres;

/// <summary>
/// One LISTEN connection per process, started by the first live tagged stream: every NOTIFY (sent by appends on any
/// node, delivered on commit) pulses the local signal. It reconnects after a failure and pulses once connected, so
/// readers re-query whatever they might have missed meanwhile.
/// </summary>
internal sealed class PostgresNotificationListener(
    NpgsqlDataSource dataSource, string channel, JournalSignal signal, TimeProvider timeProvider, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void EnsureStarted()
    {
        if (Volatile.Read(ref _loop) is null)
        {
            lock (_stop)
            {
                _loop ??= Task.Run(() => RunAsync(_stop.Token));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
                connection.Notification += (_, _) => signal.Pulse();
                await using (var listen = connection.CreateCommand())
                {
                    listen.CommandText = $"LISTEN {channel}";
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }

                signal.Pulse();
                while (true)
                {
                    await connection.WaitAsync(stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
            {
                logger.LogWarning(e, "Journal LISTEN connection on {Channel} failed; live tagged streams poll until it reconnects", channel);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), timeProvider, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
