using System.Diagnostics;
using System.Runtime.CompilerServices;
using CrossMargin.Persistence.Journal;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// The SQLite journal. A batch is one IMMEDIATE transaction on the write connection (one fsync). When a sequence
/// number is taken, the batch is re-run with a savepoint per atomic write, so the conflict rolls back that write
/// alone and the rest of the batch still commits. Orderings come from event_ordering inside the transaction;
/// SQLite has one writer at a time, so orderings commit in order and "after the last offset seen" is a gap-free
/// cursor.
/// </summary>
internal sealed class SqliteJournal : IJournal, IDisposable
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    private const string Columns = "j.persistence_id, j.sequence_nr, j.ordering, j.manifest, j.version, j.payload, j.tags, j.writer_id, j.timestamp";

    private readonly SqliteDatabase _database;
    private WriteStatements? _statements;
    private long _commits;
    private long _slowCommits;
    private long _longestCommitTicks;

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

        if (writes.Any(w => w.Fence is not null))
        {
            // One node owns an embedded store, so there are no leases to check a fence against; accepting the write
            // would claim a guarantee this journal cannot give.
            var admitted = FencedWrites.Screen(writes, results, _ => "the embedded SQLite journal keeps no leases; fenced writes need the PostgreSQL journal");
            var subset = admitted.Select(w => writes[w]).ToArray();
            var subsetResults = await WriteMessagesAsync(subset, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < admitted.Count; i++)
            {
                results[admitted[i]] = subsetResults[i];
            }

            return results;
        }

        using (await _database.LockWritesAsync(cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(_statements is null, this);
            var timestamp = UnixMicros.From(_database.TimeProvider.GetUtcNow());
            try
            {
                // Conflicts are rare (split brain), so the batch first runs without a savepoint per write.
                WriteBatch(_statements, writes, results, timestamp, isolateWrites: false);
            }
            catch (SqliteException e) when (IsKeyConflict(e))
            {
                Array.Clear(results);
                WriteBatch(_statements, writes, results, timestamp, isolateWrites: true);
            }
        }

        _database.Signal.Pulse();
        return results;
    }

    public long Commits => Interlocked.Read(ref _commits);

    public long SlowCommits => Interlocked.Read(ref _slowCommits);

    public TimeSpan LongestCommit => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _longestCommitTicks));

    public void ResetStatistics()
    {
        Interlocked.Exchange(ref _commits, 0);
        Interlocked.Exchange(ref _slowCommits, 0);
        Interlocked.Exchange(ref _longestCommitTicks, 0);
    }

    /// <summary>Finalizes the prepared statements; call with writes locked, before the connection closes.</summary>
    public void Dispose()
    {
        _statements?.Dispose();
        _statements = null;
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

    private void WriteBatch(WriteStatements s, IReadOnlyList<AtomicWrite> writes, Exception?[] results, long timestamp, bool isolateWrites)
    {
        using var transaction = _database.WriteConnection.BeginTransaction(deferred: false);
        var ordering = s.ReadOrdering.Step();
        HashSet<string>? rejectedIds = null;
        for (var w = 0; w < writes.Count; w++)
        {
            var write = writes[w];
            if (!isolateWrites)
            {
                ordering = Insert(s, write, ordering, timestamp);
                continue;
            }

            if (rejectedIds is not null && rejectedIds.Contains(write.PersistenceId))
            {
                results[w] = WriteRejections.PredecessorRejected(write);
                continue;
            }

            var before = ordering;
            s.Savepoint.Step();
            try
            {
                ordering = Insert(s, write, ordering, timestamp);
                s.Release.Step();
            }
            catch (SqliteException e) when (IsKeyConflict(e))
            {
                // Orderings of a rolled-back write are handed out again: the counter only moves for committed events.
                s.RollbackToSavepoint.Step();
                s.Release.Step();
                results[w] = new JournalSequenceConflictException(write.PersistenceId, write.FromSequenceNr, write.WriterId, e);
                (rejectedIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(write.PersistenceId);
                ordering = before;
            }
        }

        s.WriteOrdering.Bind(1, ordering);
        s.WriteOrdering.Step();
        BeforeCommit?.Invoke();
        var started = Stopwatch.GetTimestamp();
        transaction.Commit();
        var ticks = Stopwatch.GetTimestamp() - started;
        Interlocked.Increment(ref _commits);
        if (Stopwatch.GetElapsedTime(0, ticks) > SqliteStatistics.SlowCommitThreshold)
        {
            Interlocked.Increment(ref _slowCommits);
        }

        SqliteCheckpointer.InterlockedMax(ref _longestCommitTicks, ticks);
    }

    private static long Insert(WriteStatements s, AtomicWrite write, long ordering, long timestamp)
    {
        var sequenceNr = write.FromSequenceNr;
        // Indexed loops: the lists' interface enumerators would be an allocation per write on the group commit's thread.
        var events = write.Events;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            ordering++;
            var insert = s.InsertEvent;
            insert.Bind(1, write.PersistenceId);
            insert.Bind(2, sequenceNr++);
            insert.Bind(3, ordering);
            insert.Bind(4, e.Payload.Manifest);
            insert.Bind(5, e.Payload.Version);
            insert.Bind(6, e.Payload.Bytes.Span);
            insert.Bind(7, TagCodec.Encode(e.Tags));
            insert.Bind(8, write.WriterId);
            insert.Bind(9, timestamp);
            insert.Step();
            var tags = e.Tags;
            for (var t = 0; t < tags.Count; t++)
            {
                s.InsertTag.Bind(1, tags[t]);
                s.InsertTag.Bind(2, ordering);
                s.InsertTag.Step();
            }
        }

        return ordering;
    }

    /// <summary>Statements prepared once on the write connection, reused for every batch.</summary>
    private sealed class WriteStatements : IDisposable
    {
        public WriteStatements(SqliteConnection connection)
        {
            ReadOrdering = new RawStatement(connection, "SELECT value FROM event_ordering WHERE id = 1");
            WriteOrdering = new RawStatement(connection, "UPDATE event_ordering SET value = ?1 WHERE id = 1");
            Savepoint = new RawStatement(connection, "SAVEPOINT atomic_write");
            Release = new RawStatement(connection, "RELEASE atomic_write");
            RollbackToSavepoint = new RawStatement(connection, "ROLLBACK TO atomic_write");
            InsertEvent = new RawStatement(connection,
                "INSERT INTO event_journal (persistence_id, sequence_nr, ordering, manifest, version, payload, tags, writer_id, timestamp) " +
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
            InsertTag = new RawStatement(connection, "INSERT INTO event_tag (tag, ordering) VALUES (?1, ?2)");
        }

        public RawStatement ReadOrdering { get; }

        public RawStatement WriteOrdering { get; }

        public RawStatement Savepoint { get; }

        public RawStatement Release { get; }

        public RawStatement RollbackToSavepoint { get; }

        public RawStatement InsertEvent { get; }

        public RawStatement InsertTag { get; }

        public void Dispose()
        {
            foreach (var statement in new[] { ReadOrdering, WriteOrdering, Savepoint, Release, RollbackToSavepoint, InsertEvent, InsertTag })
            {
                statement.Dispose();
            }
        }
    }
}
