using System.Diagnostics;
using System.Runtime.CompilerServices;
using CrossMargin.Persistence.Journal;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// The SQLite journal. A batch is one IMMEDIATE transaction on the write connection (one fsync). Each atomic write
/// is checked against its persistence id's row in journal_head before anything of it is inserted: one that does not
/// start above the highest sequence number ever written is rejected and the rest of the batch still commits.
/// Orderings come from event_ordering inside the transaction; SQLite has one writer at a time, so orderings commit in
/// order and "after the last offset seen" is a gap-free cursor. Events are stored in ordering order, each pointing to
/// its persistence id's previous event, and a replay walks that chain back from journal_head (migration 0003).
/// </summary>
internal sealed class SqliteJournal : IJournal, IDisposable
{
    // The orderings of a persistence id's events, newest first, walked back from its head through previous_ordering
    // until before $from (a deleted event ends the chain: its row is gone).
    private const string Chain =
        "WITH RECURSIVE chain(ordering) AS (" +
        "SELECT last_ordering FROM journal_head WHERE persistence_id = $pid " +
        "UNION ALL SELECT j.previous_ordering FROM event_journal j JOIN chain c ON j.ordering = c.ordering " +
        "WHERE j.sequence_nr > $from AND j.previous_ordering IS NOT NULL) ";

    private const long DenseFactor = 4;

    private const string Columns = "j.persistence_id, j.sequence_nr, j.ordering, j.manifest, j.version, j.payload, j.tags, j.writer_id, j.timestamp";

    private readonly SqliteDatabase _database;
    private WriteStatements? _statements;
    private long _commits;
    private long _slowCommits;
    private long _longestCommitTicks;
    private readonly SqliteCommitTimes _commitTimes = new();

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
            WriteBatch(_statements, writes, results, timestamp);
        }

        _database.Signal.Pulse();
        return results;
    }

    public long Commits => Interlocked.Read(ref _commits);

    public long SlowCommits => Interlocked.Read(ref _slowCommits);

    public TimeSpan LongestCommit => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _longestCommitTicks));

    public TimeSpan CommitPercentile(double fraction) => _commitTimes.Percentile(fraction);

    public void ResetStatistics()
    {
        _commitTimes.Reset();
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

        var reader = await _database.ReplayReaders.RentAsync(cancellationToken).ConfigureAwait(false);
        RawStatement? rows = null;
        try
        {
            var head = reader.Head;
            head.Bind(1, persistenceId);
            if (!head.Next())
            {
                yield break;
            }

            var (highest, lastOrdering, firstOrdering) = (head.Int64(0), head.Int64(1), head.Int64(2));
            head.Reset();
            if (fromSequenceNr > highest)
            {
                yield break;
            }

            // Walking the chain costs a rowid lookup per event (~4x a scanned row, measured); scanning the orderings
            // costs every row in between, other ids' too. So the scan is taken when at most DenseFactor rows are
            // scanned per event wanted.
            var wanted = highest - Math.Max(fromSequenceNr, 1) + 1;
            var span = lastOrdering - firstOrdering + 1;
            rows = span <= DenseFactor * wanted ? reader.Scan : reader.Chain;
            rows.Bind(1, firstOrdering);
            rows.Bind(2, lastOrdering);
            rows.Bind(3, persistenceId);
            rows.Bind(4, fromSequenceNr);
            rows.Bind(5, toSequenceNr);
            rows.Bind(6, max);
            while (rows.Next())
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return new PersistentRepresentation(
                    persistenceId,
                    rows.Int64(0),
                    rows.Int64(1),
                    new SerializedPayload(rows.Text(2), (int)rows.Int64(3), rows.Blob(4)),
                    TagCodec.Decode(rows.Text(5)),
                    rows.Text(6),
                    UnixMicros.ToDateTimeOffset(rows.Int64(7)));
            }
        }
        finally
        {
            reader.Head.Reset();
            rows?.Reset();
            _database.ReplayReaders.Return(reader);
        }
    }

    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        var reader = await _database.ReplayReaders.RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            reader.Head.Bind(1, persistenceId);
            return reader.Head.StepRow(out var highest, out _) ? highest : 0;
        }
        finally
        {
            _database.ReplayReaders.Return(reader);
        }
    }

    public async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        using (await _database.LockWritesAsync(cancellationToken).ConfigureAwait(false))
        {
            using var transaction = _database.WriteConnection.BeginTransaction(deferred: false);
            using var command = _database.WriteConnection.CreateCommand();
            command.Transaction = transaction;
            // journal_head keeps the highest sequence number, so every event up to $to can go and a stale writer
            // still conflicts. The chain is walked whole ($from 0): the events to delete are its oldest.
            const string Victims = "victims(ordering) AS (SELECT ordering FROM event_journal WHERE ordering IN (SELECT ordering FROM chain) AND sequence_nr <= $to) ";
            command.CommandText =
                Chain + ", " + Victims + "DELETE FROM event_tag WHERE ordering IN (SELECT ordering FROM victims);" +
                Chain + ", " + Victims + "DELETE FROM event_journal WHERE ordering IN (SELECT ordering FROM victims);";
            command.Parameters.AddWithValue("$pid", persistenceId);
            command.Parameters.AddWithValue("$from", 0L);
            command.Parameters.AddWithValue("$to", toSequenceNr);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            transaction.Commit();
            _database.CheckpointIfWalPastLimit();
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

    private void WriteBatch(WriteStatements s, IReadOnlyList<AtomicWrite> writes, Exception?[] results, long timestamp)
    {
        // BEGIN and COMMIT are prepared once, like the inserts: through the ADO.NET transaction each batch built a
        // transaction, two commands and two data readers and parsed both statements again (session 20).
        s.Begin.Step();
        try
        {
            WriteBatchInTransaction(s, writes, results, timestamp);
        }
        catch
        {
            // A failed statement or COMMIT can leave the transaction open (SQLite rolls some errors back itself):
            // nothing of the batch may stay for the next one to commit.
            if (raw.sqlite3_get_autocommit(_database.WriteConnection.Handle) == 0)
            {
                s.Rollback.Step();
            }

            throw;
        }
    }

    private void WriteBatchInTransaction(WriteStatements s, IReadOnlyList<AtomicWrite> writes, Exception?[] results, long timestamp)
    {
        var ordering = s.ReadOrdering.Step();
        HashSet<string>? rejectedIds = null;
        for (var w = 0; w < writes.Count; w++)
        {
            var write = writes[w];
            if (rejectedIds is not null && rejectedIds.Contains(write.PersistenceId))
            {
                results[w] = WriteRejections.PredecessorRejected(write);
                continue;
            }

            s.ReadHead.Bind(1, write.PersistenceId);
            var known = s.ReadHead.StepRow(out var highest, out var lastOrdering);
            if (known && write.FromSequenceNr <= highest)
            {
                // Checked before anything of the write is inserted, so a rejection needs no rollback.
                results[w] = new JournalSequenceConflictException(write.PersistenceId, write.FromSequenceNr, write.WriterId);
                (rejectedIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(write.PersistenceId);
                continue;
            }

            ordering = Insert(s, write, ordering, known ? lastOrdering : null, timestamp);
        }

        s.WriteOrdering.Bind(1, ordering);
        s.WriteOrdering.Step();
        BeforeCommit?.Invoke();
        var started = Stopwatch.GetTimestamp();
        s.Commit.Step();

        // Timed with the COMMIT, as SQLite's auto-checkpoint inside it was: a commit that waited for a checkpoint shows as slow.
        _database.CheckpointIfWalPastLimit();
        var ticks = Stopwatch.GetTimestamp() - started;
        Interlocked.Increment(ref _commits);
        if (Stopwatch.GetElapsedTime(0, ticks) > SqliteStatistics.SlowCommitThreshold)
        {
            Interlocked.Increment(ref _slowCommits);
        }

        SqliteCheckpointer.InterlockedMax(ref _longestCommitTicks, ticks);
        _commitTimes.Add(ticks);
    }

    private static long Insert(WriteStatements s, AtomicWrite write, long ordering, long? previous, long timestamp)
    {
        var sequenceNr = write.FromSequenceNr;
        // Indexed loops: the lists' interface enumerators would be an allocation per write on the group commit's thread.
        var events = write.Events;
        if (events.Count == 0)
        {
            return ordering;
        }

        var first = ordering + 1;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            ordering++;
            var insert = s.InsertEvent;
            insert.Bind(1, ordering);
            insert.Bind(2, write.PersistenceId);
            insert.Bind(3, sequenceNr++);
            if (previous is { } p)
            {
                insert.Bind(4, p);
            }
            else
            {
                insert.BindNull(4);
            }

            insert.Bind(5, e.Payload.Manifest);
            insert.Bind(6, e.Payload.Version);
            insert.Bind(7, e.Payload.Bytes.Span);
            insert.Bind(8, TagCodec.Encode(e.Tags));
            insert.Bind(9, write.WriterId);
            insert.Bind(10, timestamp);
            insert.Step();
            previous = ordering;
            var tags = e.Tags;
            for (var t = 0; t < tags.Count; t++)
            {
                s.InsertTag.Bind(1, tags[t]);
                s.InsertTag.Bind(2, ordering);
                s.InsertTag.Step();
            }
        }

        s.WriteHead.Bind(1, write.PersistenceId);
        s.WriteHead.Bind(2, sequenceNr - 1);
        s.WriteHead.Bind(3, ordering);
        s.WriteHead.Bind(4, first);
        s.WriteHead.Step();
        return ordering;
    }

    /// <summary>Statements prepared once on the write connection, reused for every batch.</summary>
    private sealed class WriteStatements : IDisposable
    {
        public WriteStatements(SqliteConnection connection)
        {
            ReadOrdering = new RawStatement(connection, "SELECT value FROM event_ordering WHERE id = 1");
            WriteOrdering = new RawStatement(connection, "UPDATE event_ordering SET value = ?1 WHERE id = 1");
            ReadHead = new RawStatement(connection, "SELECT highest_sequence_nr, last_ordering FROM journal_head WHERE persistence_id = ?1");
            WriteHead = new RawStatement(connection,
                "INSERT INTO journal_head (persistence_id, highest_sequence_nr, last_ordering, first_ordering) VALUES (?1, ?2, ?3, ?4) " +
                "ON CONFLICT (persistence_id) DO UPDATE SET highest_sequence_nr = excluded.highest_sequence_nr, last_ordering = excluded.last_ordering");
            InsertEvent = new RawStatement(connection,
                "INSERT INTO event_journal (ordering, persistence_id, sequence_nr, previous_ordering, manifest, version, payload, tags, writer_id, timestamp) " +
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
            InsertTag = new RawStatement(connection, "INSERT INTO event_tag (tag, ordering) VALUES (?1, ?2)");
            Begin = new RawStatement(connection, "BEGIN IMMEDIATE");
            Commit = new RawStatement(connection, "COMMIT");
            Rollback = new RawStatement(connection, "ROLLBACK");
        }

        public RawStatement Begin { get; }

        public RawStatement Commit { get; }

        public RawStatement Rollback { get; }

        public RawStatement ReadOrdering { get; }

        public RawStatement WriteOrdering { get; }

        public RawStatement ReadHead { get; }

        public RawStatement WriteHead { get; }

        public RawStatement InsertEvent { get; }

        public RawStatement InsertTag { get; }

        public void Dispose()
        {
            foreach (var statement in new[] { ReadOrdering, WriteOrdering, ReadHead, WriteHead, InsertEvent, InsertTag, Begin, Commit, Rollback })
            {
                statement.Dispose();
            }
        }
    }
}
