using CrossMargin.Persistence.Snapshots;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>Snapshots in the same SQLite file as the journal.</summary>
internal sealed class SqliteSnapshotStore(SqliteDatabase database) : ISnapshotStore
{
    public async Task<SnapshotMetadata> SaveAsync(string persistenceId, long sequenceNr, SerializedPayload snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        ArgumentOutOfRangeException.ThrowIfNegative(sequenceNr);
        ArgumentNullException.ThrowIfNull(snapshot);
        var metadata = new SnapshotMetadata(persistenceId, sequenceNr, database.TimeProvider.GetUtcNow());
        using (await database.LockWritesAsync(cancellationToken).ConfigureAwait(false))
        {
            using var command = database.WriteConnection.CreateCommand();
            command.CommandText =
                "INSERT INTO snapshot_store (persistence_id, sequence_nr, timestamp, manifest, version, payload) " +
                "VALUES ($pid, $seq, $timestamp, $manifest, $version, $payload) " +
                "ON CONFLICT (persistence_id, sequence_nr) DO UPDATE SET timestamp = excluded.timestamp, manifest = excluded.manifest, " +
                "version = excluded.version, payload = excluded.payload";
            command.Parameters.AddWithValue("$pid", persistenceId);
            command.Parameters.AddWithValue("$seq", sequenceNr);
            command.Parameters.AddWithValue("$timestamp", UnixMicros.From(metadata.Timestamp));
            command.Parameters.AddWithValue("$manifest", snapshot.Manifest);
            command.Parameters.AddWithValue("$version", snapshot.Version);
            command.Parameters.AddWithValue("$payload", PayloadBytes.AsArray(snapshot.Bytes));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            database.CheckpointIfWalPastLimit();
        }

        return metadata;
    }

    public async Task<SelectedSnapshot?> LoadAsync(string persistenceId, long maxSequenceNr = long.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        await using var connection = await database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT sequence_nr, timestamp, manifest, version, payload FROM snapshot_store " +
            "WHERE persistence_id = $pid AND sequence_nr <= $max ORDER BY sequence_nr DESC LIMIT 1";
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$max", maxSequenceNr);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new SelectedSnapshot(
            new SnapshotMetadata(persistenceId, reader.GetInt64(0), UnixMicros.ToDateTimeOffset(reader.GetInt64(1))),
            new SerializedPayload(reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<byte[]>(4)));
    }

    public async Task DeleteAsync(string persistenceId, long maxSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        using (await database.LockWritesAsync(cancellationToken).ConfigureAwait(false))
        {
            using var command = database.WriteConnection.CreateCommand();
            command.CommandText = "DELETE FROM snapshot_store WHERE persistence_id = $pid AND sequence_nr <= $max";
            command.Parameters.AddWithValue("$pid", persistenceId);
            command.Parameters.AddWithValue("$max", maxSequenceNr);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            database.CheckpointIfWalPastLimit();
        }
    }
}
