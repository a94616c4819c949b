using CrossMargin.Persistence.Snapshots;
using Npgsql;

namespace CrossMargin.Persistence.Postgres;

/// <summary>Snapshots in the journal's PostgreSQL database.</summary>
internal sealed class PostgresSnapshotStore(NpgsqlDataSource dataSource, TimeProvider timeProvider) : ISnapshotStore
{
    public async Task<SnapshotMetadata> SaveAsync(string persistenceId, long sequenceNr, SerializedPayload snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        ArgumentOutOfRangeException.ThrowIfNegative(sequenceNr);
        ArgumentNullException.ThrowIfNull(snapshot);
        var metadata = new SnapshotMetadata(persistenceId, sequenceNr, timeProvider.GetUtcNow().ToUniversalTime());
        await using var command = dataSource.CreateCommand(
            "INSERT INTO snapshot_store (persistence_id, sequence_nr, \"timestamp\", manifest, version, payload) VALUES ($1, $2, $3, $4, $5, $6) " +
            "ON CONFLICT (persistence_id, sequence_nr) DO UPDATE SET \"timestamp\" = excluded.\"timestamp\", manifest = excluded.manifest, " +
            "version = excluded.version, payload = excluded.payload");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sequenceNr });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = metadata.Timestamp });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = snapshot.Manifest });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = snapshot.Version });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = PayloadBytes.AsArray(snapshot.Bytes) });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return metadata;
    }

    public async Task<SelectedSnapshot?> LoadAsync(string persistenceId, long maxSequenceNr = long.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        await using var command = dataSource.CreateCommand(
            "SELECT sequence_nr, \"timestamp\", manifest, version, payload FROM snapshot_store " +
            "WHERE persistence_id = $1 AND sequence_nr <= $2 ORDER BY sequence_nr DESC LIMIT 1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = maxSequenceNr });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new SelectedSnapshot(
            new SnapshotMetadata(persistenceId, reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1)),
            new SerializedPayload(reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<byte[]>(4)));
    }

    public async Task DeleteAsync(string persistenceId, long maxSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        await using var command = dataSource.CreateCommand("DELETE FROM snapshot_store WHERE persistence_id = $1 AND sequence_nr <= $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = maxSequenceNr });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
