using System.Runtime.CompilerServices;
using CrossMargin.Persistence.Journal;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// The SQLite journal. A batch is one IMMEDIATE transaction on the write connection; each atomic write runs under
/// its own savepoint, so a sequence conflict rolls back that write alone and the rest of the batch still commits
/// (with one fsync). Orderings come from event_ordering inside the transaction; SQLite has one writer at a time,
/// so orderings commit in order and "after the last offset seen" is a gap-free cursor.
/// </summary>
internal sealed class SqliteJournal : IJournal
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    private const string Columns = "j.persistence_id, j.sequence_nr, j.ordering, j.manifest, j.version, j.payload, j.tags, j.writer_id, j.timestamp";

    private readonly SqliteDatabase _database;
    private readonly WriteStatements _statements;

    public SqliteJournal(SqliteDatabase database)
    {
        _database = database;
        _statements = new WriteStatements(database.WriteConnection);
    }

    /// <summary>Test hook: runs inside the write transaction after the inserts, just before COMMIT.</summary>
    internal Action? BeforeCommit { get; set; }

    public async Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        var results = new Exception?[writes.Count];
        if (writes.Count == 0)
        {
            return results;
        }

        using (await _database.LockWritesAsync(cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var timestamp = UnixMicros.From(_database.TimeProvider.GetUtcNow());
            using var transaction = _database.WriteConnection.BeginTransaction(deferred: false);
            var s = _statements;
            s.Enlist(transaction);
            var ordering = (long)s.ReadOrdering.ExecuteScalar()!;
            HashSet<string>? rejectedIds = null;
            for (var w = 0; w < writes.Count; w++)
            {
                var write = writes[w];
                if (rejectedIds is not null && rejectedIds.Contains(write.PersistenceId))
                {
                    results[w] = WriteRejections.PredecessorRejected(write);
                    continue;
                }

                var before = ordering;
                s.Savepoint.ExecuteNonQuery();
                try
                {
                    ordering = Insert(write, ordering, timestamp);
                    s.Release.ExecuteNonQuery();
                }
                catch (SqliteException e) when (IsKeyConflict(e))
                {
                    s.RollbackToSavepoint.ExecuteNonQuery();
                    s.Release.ExecuteNonQuery();
                    ordering = before;
                    results[w] = new JournalSequenceConflictException(write.PersistenceId, write.FromSequenceNr, write.WriterId, e);
                    (rejectedIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(write.PersistenceId);
                }
            }

            s.WriteOrdering.Parameters[0].Value = ordering;
            s.WriteOrdering.ExecuteNonQuery();
            BeforeCommit?.Invoke();
            transaction.Commit();
        }

        _database.Signal.Pulse();
        return results;
    }

    public async IAsyncEnumerable<PersistentRepresentation> ReplayMessagesAsync(
        string persistenceId, long fromSequenceNr = 1, long toSequenceNr = long.MaxValue, long max = long.MaxValue,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        if (max <= 0 || toSequenceNr < fromSequenceNr)
        {
            yield break;
        }

        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT sequence_nr, ordering, manifest, version, payload, tags, writer_id, timestamp FROM event_journal " +
            "WHERE persistence_id = $pid AND sequence_nr >= $from AND sequence_nr <= $to AND deleted = 0 ORDER BY sequence_nr LIMIT $max";
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$from", fromSequenceNr);
        command.Parameters.AddWithValue("$to", toSequenceNr);
        command.Parameters.AddWithValue("$max", max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new PersistentRepresentation(
                persistenceId,
                reader.GetInt64(0),
                reader.GetInt64(1),
                new SerializedPayload(reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<byte[]>(4)),
                TagCodec.Decode(reader.GetString(5)),
                reader.GetString(6),
                UnixMicros.ToDateTimeOffset(reader.GetInt64(7)));
        }
    }

    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(sequence_nr), 0) FROM event_journal WHERE persistence_id = $pid";
        command.Parameters.AddWithValue("$pid", persistenceId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        using (await _database.LockWritesAsync(cancellationToken).ConfigureAwait(false))
        {
            using var transaction = _database.WriteConnection.BeginTransaction(deferred: false);
            using var command = _database.WriteConnection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText =
                "DELETE FROM event_tag WHERE ordering IN (SELECT ordering FROM event_journal WHERE persistence_id = $pid AND sequence_nr <= $to);" +
                // The highest event stays as a deleted marker so the highest sequence number survives and a stale writer still conflicts.
                "DELETE FROM event_journal WHERE persistence_id = $pid AND sequence_nr <= $to " +
                "  AND sequence_nr < (SELECT max(sequence_nr) FROM event_journal WHERE persistence_id = $pid);" +
                "UPDATE event_journal SET deleted = 1 WHERE persistence_id = $pid AND sequence_nr <= $to;";
            command.Parameters.AddWithValue("$pid", persistenceId);
            command.Parameters.AddWithValue("$to", toSequenceNr);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            transaction.Commit();
        }
    }

    public IAsyncEnumerable<TaggedEvent> EventsByTag(string tag, long fromOffset = 0, bool live = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        return TagStream.ReadAsync(
            (offset, limit, ct) => ReadTagPageAsync(tag, offset, limit, ct),
            _database.Signal,
            fromOffset,
            live,
            _database.Options.PollInterval,
            _database.TimeProvider,
            cancellationToken);
    }

    private async Task<List<TaggedEvent>> ReadTagPageAsync(string tag, long afterOffset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {Columns} FROM event_tag t JOIN event_journal j ON j.ordering = t.ordering " +
            "WHERE t.tag = $tag AND t.ordering > $after ORDER BY t.ordering LIMIT $limit";
        command.Parameters.AddWithValue("$tag", tag);
        command.Parameters.AddWithValue("$after", afterOffset);
        command.Parameters.AddWithValue("$limit", limit);
        var page = new List<TaggedEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (reader.Read())
        {
            var ordering = reader.GetInt64(2);
            page.Add(new TaggedEvent(tag, ordering, new PersistentRepresentation(
                reader.GetString(0),
                reader.GetInt64(1),
                ordering,
                new SerializedPayload(reader.GetString(3), reader.GetInt32(4), reader.GetFieldValue<byte[]>(5)),
                TagCodec.Decode(reader.GetString(6)),
                reader.GetString(7),
                UnixMicros.ToDateTimeOffset(reader.GetInt64(8)))));
        }

        return page;
    }

    private static bool IsKeyConflict(SqliteException e) =>
        e.SqliteErrorCode == SqliteConstraint && e.SqliteExtendedErrorCode is SqliteConstraintPrimaryKey or SqliteConstraintUnique
        && e.Message.Contains("event_journal.persistence_id", StringComparison.Ordinal);

    private long Insert(AtomicWrite write, long ordering, long timestamp)
    {
        var s = _statements;
        s.EventPersistenceId.Value = write.PersistenceId;
        s.EventWriterId.Value = write.WriterId;
        s.EventTimestamp.Value = timestamp;
        var sequenceNr = write.FromSequenceNr;
        foreach (var e in write.Events)
        {
            ordering++;
            s.EventSequenceNr.Value = sequenceNr++;
            s.EventOrdering.Value = ordering;
            s.EventManifest.Value = e.Payload.Manifest;
            s.EventVersion.Value = e.Payload.Version;
            s.EventPayload.Value = PayloadBytes.AsArray(e.Payload.Bytes);
            s.EventTags.Value = TagCodec.Encode(e.Tags);
            s.InsertEvent.ExecuteNonQuery();
            foreach (var tag in e.Tags)
            {
                s.TagName.Value = tag;
                s.TagOrdering.Value = ordering;
                s.InsertTag.ExecuteNonQuery();
            }
        }

        return ordering;
    }

    /// <summary>Prepared statements on the write connection, reused for every batch.</summary>
    private sealed class WriteStatements
    {
        public WriteStatements(SqliteConnection connection)
        {
            ReadOrdering = Command(connection, "SELECT value FROM event_ordering WHERE id = 1");
            WriteOrdering = Command(connection, "UPDATE event_ordering SET value = $value WHERE id = 1");
            WriteOrdering.Parameters.Add("$value", SqliteType.Integer);
            Savepoint = Command(connection, "SAVEPOINT atomic_write");
            Release = Command(connection, "RELEASE atomic_write");
            RollbackToSavepoint = Command(connection, "ROLLBACK TO atomic_write");
            InsertEvent = Command(connection,
                "INSERT INTO event_journal (persistence_id, sequence_nr, ordering, manifest, version, payload, tags, writer_id, timestamp) " +
                "VALUES ($pid, $seq, $ordering, $manifest, $version, $payload, $tags, $writer, $timestamp)");
            EventPersistenceId = InsertEvent.Parameters.Add("$pid", SqliteType.Text);
            EventSequenceNr = InsertEvent.Parameters.Add("$seq", SqliteType.Integer);
            EventOrdering = InsertEvent.Parameters.Add("$ordering", SqliteType.Integer);
            EventManifest = InsertEvent.Parameters.Add("$manifest", SqliteType.Text);
            EventVersion = InsertEvent.Parameters.Add("$version", SqliteType.Integer);
            EventPayload = InsertEvent.Parameters.Add("$payload", SqliteType.Blob);
            EventTags = InsertEvent.Parameters.Add("$tags", SqliteType.Text);
            EventWriterId = InsertEvent.Parameters.Add("$writer", SqliteType.Text);
            EventTimestamp = InsertEvent.Parameters.Add("$timestamp", SqliteType.Integer);
            InsertTag = Command(connection, "INSERT INTO event_tag (tag, ordering) VALUES ($tag, $ordering)");
            TagName = InsertTag.Parameters.Add("$tag", SqliteType.Text);
            TagOrdering = InsertTag.Parameters.Add("$ordering", SqliteType.Integer);
        }

        public SqliteCommand ReadOrdering { get; }

        public SqliteCommand WriteOrdering { get; }

        public SqliteCommand Savepoint { get; }

        public SqliteCommand Release { get; }

        public SqliteCommand RollbackToSavepoint { get; }

        public SqliteCommand InsertEvent { get; }

        public SqliteParameter EventPersistenceId { get; }

        public SqliteParameter EventSequenceNr { get; }

        public SqliteParameter EventOrdering { get; }

        public SqliteParameter EventManifest { get; }

        public SqliteParameter EventVersion { get; }

        public SqliteParameter EventPayload { get; }

        public SqliteParameter EventTags { get; }

        public SqliteParameter EventWriterId { get; }

        public SqliteParameter EventTimestamp { get; }

        public SqliteCommand InsertTag { get; }

        public SqliteParameter TagName { get; }

        public SqliteParameter TagOrdering { get; }

        public void Enlist(SqliteTransaction transaction)
        {
            foreach (var command in new[] { ReadOrdering, WriteOrdering, Savepoint, Release, RollbackToSavepoint, InsertEvent, InsertTag })
            {
                command.Transaction = transaction;
            }
        }

        private static SqliteCommand Command(SqliteConnection connection, string sql)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            return command;
        }
    }
}
