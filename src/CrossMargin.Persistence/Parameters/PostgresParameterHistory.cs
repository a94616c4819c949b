using Npgsql;

namespace CrossMargin.Persistence.Parameters;

/// <summary>
/// The parameter history in the cluster's PostgreSQL database: written once, read by every node. An append notifies
/// <see cref="NotificationChannel"/> (payload <c>slot:version</c>) in its own transaction, so listeners hear of exactly
/// the versions that committed.
/// </summary>
internal sealed class PostgresParameterHistory(NpgsqlDataSource dataSource, TimeProvider timeProvider) : IParameterHistory
{
    /// <summary>The LISTEN/NOTIFY channel of appended versions.</summary>
    public const string NotificationChannel = "cm_risk_parameters";

    private const string Columns = "slot, version, content_hash, content, model, description, applied_by, applied_at, reason";
    private const string UniqueViolation = "23505";

    public async Task<StoredParameterSet> AppendAsync(ParameterSetAppend proposal, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        proposal.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var newest = await NewestAsync(connection, transaction, proposal.Slot, cancellationToken).ConfigureAwait(false);
        if (newest != expectedVersion)
        {
            throw new ParameterVersionConflictException(proposal.Slot, expectedVersion, newest);
        }

        var stored = new StoredParameterSet(proposal.Slot, expectedVersion + 1, proposal.ContentHash, proposal.Content, proposal.Model, proposal.Description, proposal.AppliedBy,
            Truncated(timeProvider.GetUtcNow()), proposal.Reason);
        await using (var insert = new NpgsqlCommand($"INSERT INTO risk_parameter_version ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stored.Slot });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = stored.Version });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stored.ContentHash });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stored.Content });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stored.Model });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stored.Description });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stored.AppliedBy });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = stored.AppliedAt });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)stored.Reason ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            try
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await using (var notify = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection, transaction))
                {
                    notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = NotificationChannel });
                    notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = FormattableString.Invariant($"{stored.Slot}:{stored.Version}") });
                    await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == UniqueViolation)
            {
                // Another node inserted the same version between our read and our insert: it won.
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                throw new ParameterVersionConflictException(proposal.Slot, expectedVersion, await NewestAsync(proposal.Slot, cancellationToken).ConfigureAwait(false));
            }
        }

        return stored;
    }

    public async Task<IReadOnlyList<StoredParameterSet>> LatestAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT DISTINCT ON (slot) {Columns} FROM risk_parameter_version ORDER BY slot, version DESC");
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredParameterSet>> HistoryAsync(string? slot = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM risk_parameter_version WHERE $1::text IS NULL OR slot = $1 ORDER BY applied_at DESC, slot, version DESC LIMIT $2");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)slot ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> NewestAsync(string slot, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await NewestAsync(connection, null, slot, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> NewestAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string slot, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM risk_parameter_version WHERE slot = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = slot });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<IReadOnlyList<StoredParameterSet>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var sets = new List<StoredParameterSet>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sets.Add(new StoredParameterSet(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
        }

        return sets;
    }

    // PostgreSQL keeps microseconds: what the caller is told must be what a later read gives.
    private static DateTimeOffset Truncated(DateTimeOffset time) =>
        new DateTimeOffset(time.UtcTicks - time.UtcTicks % 10, TimeSpan.Zero);
}
