using Npgsql;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// The event journal locked <c>ACCESS EXCLUSIVE</c> (reads too) in an open transaction until released (rolled back): a
/// statement of the node's on the journal then waits, as behind a slow or cut-off database.
/// </summary>
internal sealed class JournalLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private bool _released;

    private JournalLock(NpgsqlConnection connection, NpgsqlTransaction transaction) => (_connection, _transaction) = (connection, transaction);

    /// <summary>Locks the journal of <paramref name="db"/>'s database.</summary>
    public static async Task<JournalLock> TakeAsync(NpgsqlDataSource db)
    {
        var connection = await db.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await new NpgsqlCommand("LOCK TABLE event_journal IN ACCESS EXCLUSIVE MODE", connection, transaction).ExecuteNonQueryAsync();
        return new JournalLock(connection, transaction);
    }

    /// <summary>Waits until a statement whose text starts with <paramref name="query"/> waits on a lock (in <c>pg_stat_activity</c>).</summary>
    public static Task WaitedOnAsync(NpgsqlDataSource db, string query, string what) => TestCluster.EventuallyAsync(async () =>
    {
        await using var waiting = db.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND starts_with(query, $1)");
        waiting.Parameters.Add(new NpgsqlParameter<string> { TypedValue = query });
        return (long)(await waiting.ExecuteScalarAsync())! > 0;
    }, TimeSpan.FromSeconds(10), what);

    public async Task ReleaseAsync()
    {
        if (!_released)
        {
            _released = true;
            await _transaction.RollbackAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
