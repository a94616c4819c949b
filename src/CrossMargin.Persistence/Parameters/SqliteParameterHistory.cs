using CrossMargin.Persistence.Sqlite;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Parameters;

/// <summary>The parameter history in the embedded node's SQLite file, beside its journal.</summary>
internal sealed class SqliteParameterHistory(SqliteDatabase database) : IParameterHistory
{
    private const string Columns = "slot, version, content_hash, content, model, description, applied_by, applied_at, reason";

    public async Task<StoredParameterSet> AppendAsync(ParameterSetAppend proposal, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        proposal.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        using (await database.LockWritesAsync(cancellationToken).ConfigureAwait(false))
        {
            var connection = database.WriteConnection;
            await using var transaction = connection.BeginTransaction(deferred: false);
            var newest = await NewestAsync(connection, transaction, proposal.Slot, cancellationToken).ConfigureAwait(false);
            if (newest != expectedVersion)
            {
                throw new ParameterVersionConflictException(proposal.Slot, expectedVersion, newest);
            }

            var stored = new StoredParameterSet(proposal.Slot, expectedVersion + 1, proposal.ContentHash, proposal.Content, proposal.Model, proposal.Description, proposal.AppliedBy,
                Truncated(database.TimeProvider.GetUtcNow()), proposal.Reason);
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT INTO risk_parameter_version ({Columns}) VALUES ($slot, $version, $hash, $content, $model, $description, $by, $at, $reason)";
                insert.Parameters.AddWithValue("$slot", stored.Slot);
                insert.Parameters.AddWithValue("$version", stored.Version);
                insert.Parameters.AddWithValue("$hash", stored.ContentHash);
                insert.Parameters.AddWithValue("$content", stored.Content);
                insert.Parameters.AddWithValue("$model", stored.Model);
                insert.Parameters.AddWithValue("$description", stored.Description);
                insert.Parameters.AddWithValue("$by", stored.AppliedBy);
                insert.Parameters.AddWithValue("$at", UnixMicros.From(stored.AppliedAt));
                insert.Parameters.AddWithValue("$reason", (object?)stored.Reason ?? DBNull.Value);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            database.CheckpointIfWalPastLimit();
            return stored;
        }
    }

    public async Task<IReadOnlyList<StoredParameterSet>> LatestAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM risk_parameter_version v " +
                              "WHERE version = (SELECT max(version) FROM risk_parameter_version WHERE slot = v.slot) ORDER BY slot";
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredParameterSet>> HistoryAsync(string? slot = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM risk_parameter_version WHERE $slot IS NULL OR slot = $slot ORDER BY applied_at DESC, slot, version DESC LIMIT $limit";
        command.Parameters.AddWithValue("$slot", (object?)slot ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> NewestAsync(SqliteConnection connection, SqliteTransaction transaction, string slot, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT coalesce(max(version), 0) FROM risk_parameter_version WHERE slot = $slot";
        command.Parameters.AddWithValue("$slot", slot);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<IReadOnlyList<StoredParameterSet>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var sets = new List<StoredParameterSet>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sets.Add(new StoredParameterSet(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), UnixMicros.ToDateTimeOffset(reader.GetInt64(7)), reader.IsDBNull(8) ? null : reader.GetString(8)));
        }

        return sets;
    }

    // Stored to the microsecond: what the caller is told must be what a later read gives.
    private static DateTimeOffset Truncated(DateTimeOffset time) => UnixMicros.ToDateTimeOffset(UnixMicros.From(time));
}
