using System.Runtime.CompilerServices;
using CrossMargin.Persistence.Journal;
using Npgsql;

namespace CrossMargin.Persistence.Postgres;

/// <summary>
/// The PostgreSQL journal. A batch is one transaction, one statement and one round trip: it takes a range of orderings from the
/// event_ordering row (whose row lock, held to commit, makes orderings commit in order: see the migration) and
/// inserts all events and tag rows from arrays (unnest), then (unless <see cref="PostgresPersistenceOptions.NotifyOnAppend"/>
/// is off) NOTIFYs live readers on commit. If a sequence
/// number is taken, the whole batch rolls back and its writes are retried one transaction each, so only the
/// conflicting persistence id is rejected.
/// </summary>
internal sealed class PostgresJournal : IJournal
{
    private const string UniqueViolation = "23505";
    private const string PrimaryKey = "event_journal_pkey";

    // Raised by migration 0005's journal_sequence_taken, as a unique violation: an append into a range deleted after a
    // snapshot (journal_deleted), which the primary key cannot refuse since no key is left there.
    private const string SequenceTaken = "event_journal_sequence_taken";

    private const string InsertSql = """
        WITH c AS (
            UPDATE event_ordering SET value = value + $1 WHERE id = 1 RETURNING value - $1 AS base
        ), taken AS (
            SELECT journal_sequence_taken(u.pid, u.seq, d.to_sequence_nr)
            FROM unnest($2::text[], $3::bigint[]) AS u(pid, seq)
            JOIN journal_deleted d ON d.persistence_id = u.pid AND u.seq <= d.to_sequence_nr
        ), e AS (
            INSERT INTO event_journal (persistence_id, sequence_nr, ordering, manifest, version, payload, tags, writer_id, "timestamp")
            SELECT u.pid, u.seq, c.base + u.i, u.manifest, u.version, u.payload, u.tags, u.writer, $9
            FROM c, unnest($2::text[], $3::bigint[], $4::text[], $5::integer[], $6::bytea[], $7::text[], $8::text[])
                WITH ORDINALITY AS u(pid, seq, manifest, version, payload, tags, writer, i)
            WHERE NOT EXISTS (SELECT FROM taken)
        )
        INSERT INTO event_tag (tag, ordering)
        SELECT t.tag, c.base + t.i FROM c, unnest($10::text[], $11::bigint[]) AS t(tag, i)
        """;

    private const string Columns = "j.persistence_id, j.sequence_nr, j.ordering, j.manifest, j.version, j.payload, j.tags, j.writer_id, j.\"timestamp\"";

    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _appends;
    private readonly PostgresPersistenceOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly JournalSignal _signal;
    private readonly PostgresNotificationListener _listener;

    // Reads use dataSource; appends use their own small pool, appends (PostgresPersistenceOptions.AppendConnections).
    public PostgresJournal(NpgsqlDataSource dataSource, NpgsqlDataSource appends, PostgresPersistenceOptions options, TimeProvider timeProvider, JournalSignal signal, PostgresNotificationListener listener)
    {
        _dataSource = dataSource;
        _appends = appends;
        _options = options;
        _timeProvider = timeProvider;
        _signal = signal;
        _listener = listener;
    }

    /// <summary>Test hook: runs inside the write transaction after the insert, just before COMMIT.</summary>
    internal Func<NpgsqlConnection, Task>? BeforeCommit { get; set; }

    public async Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        var results = new Exception?[writes.Count];
        if (writes.Count == 0)
        {
            return results;
        }

        var timestamp = _timeProvider.GetUtcNow().ToUniversalTime();
        await using var connection = await _appends.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (writes.Any(w => w.Fence is not null))
        {
            await WriteFencedAsync(connection, writes, results, timestamp, cancellationToken).ConfigureAwait(false);
            _signal.Pulse();
            return results;
        }

        try
        {
            await WriteInOneTransactionAsync(connection, writes, 0, writes.Count, timestamp, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (IsKeyConflict(e))
        {
            await WriteOneByOneAsync(writes, results, async write =>
            {
                await WriteInOneTransactionAsync(connection, [write], 0, 1, timestamp, cancellationToken).ConfigureAwait(false);
                return null;
            }).ConfigureAwait(false);
        }

        _signal.Pulse();
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

        await using var command = _dataSource.CreateCommand(
            "SELECT sequence_nr, ordering, manifest, version, payload, tags, writer_id, \"timestamp\" FROM event_journal " +
            "WHERE persistence_id = $1 AND sequence_nr >= $2 AND sequence_nr <= $3 AND NOT deleted ORDER BY sequence_nr LIMIT $4");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromSequenceNr });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toSequenceNr });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = max });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new PersistentRepresentation(
                persistenceId,
                reader.GetInt64(0),
                reader.GetInt64(1),
                new SerializedPayload(reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<byte[]>(4)),
                TagCodec.Decode(reader.GetString(5)),
                reader.GetString(6),
                reader.GetFieldValue<DateTimeOffset>(7));
        }
    }

    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        await using var command = _dataSource.CreateCommand("SELECT coalesce(max(sequence_nr), 0) FROM event_journal WHERE persistence_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                // The mark appends are refused at or below (the append statement reads it): never above the highest number.
                Command(
                    "INSERT INTO journal_deleted (persistence_id, to_sequence_nr) " +
                    "SELECT $1, least($2, max(sequence_nr)) FROM event_journal WHERE persistence_id = $1 HAVING max(sequence_nr) IS NOT NULL " +
                    "ON CONFLICT (persistence_id) DO UPDATE SET to_sequence_nr = greatest(journal_deleted.to_sequence_nr, excluded.to_sequence_nr)",
                    persistenceId,
                    toSequenceNr),
                Command("DELETE FROM event_tag WHERE ordering IN (SELECT ordering FROM event_journal WHERE persistence_id = $1 AND sequence_nr <= $2)", persistenceId, toSequenceNr),

                // The highest event stays as a deleted marker so the highest sequence number survives and a stale writer still conflicts.
                Command(
                    "DELETE FROM event_journal WHERE persistence_id = $1 AND sequence_nr <= $2 " +
                    "AND sequence_nr < (SELECT max(sequence_nr) FROM event_journal WHERE persistence_id = $1)",
                    persistenceId,
                    toSequenceNr),
                Command("UPDATE event_journal SET deleted = true WHERE persistence_id = $1 AND sequence_nr <= $2", persistenceId, toSequenceNr),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        static NpgsqlBatchCommand Command(string sql, string persistenceId, long toSequenceNr) => new(sql)
        {
            Parameters =
            {
                new NpgsqlParameter<string> { TypedValue = persistenceId },
                new NpgsqlParameter<long> { TypedValue = toSequenceNr },
            },
        };
    }

    public IAsyncEnumerable<TaggedEvent> EventsByTag(string tag, long fromOffset = 0, bool live = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        if (live)
        {
            _listener.EnsureStarted();
        }

        return TagStream.ReadAsync(
            (offset, limit, ct) => ReadTagPageAsync(tag, offset, limit, ct),
            _signal,
            fromOffset,
            live,
            _options.PollInterval,
            _timeProvider,
            cancellationToken);
    }

    // What the one-round-trip fenced append's check raises when a fence no longer holds (division_by_zero).
    private const string FenceMismatch = "22012";

    private static bool IsKeyConflict(PostgresException e) => e.SqlState == UniqueViolation && e.ConstraintName is PrimaryKey or SequenceTaken;

    private async Task<List<TaggedEvent>> ReadTagPageAsync(string tag, long afterOffset, int limit, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT {Columns} FROM event_tag t JOIN event_journal j ON j.ordering = t.ordering " +
            "WHERE t.tag = $1 AND t.ordering > $2 ORDER BY t.ordering LIMIT $3");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tag });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterOffset });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var page = new List<TaggedEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var ordering = reader.GetInt64(2);
            page.Add(new TaggedEvent(tag, ordering, new PersistentRepresentation(
                reader.GetString(0),
                reader.GetInt64(1),
                ordering,
                new SerializedPayload(reader.GetString(3), reader.GetInt32(4), reader.GetFieldValue<byte[]>(5)),
                TagCodec.Decode(reader.GetString(6)),
                reader.GetString(7),
                reader.GetFieldValue<DateTimeOffset>(8))));
        }

        return page;
    }

    // After a batch hit a key conflict: one transaction per write, so only the conflicting ids are rejected, and every
    // later write of a rejected id is rejected too (no gap). writeOne returns a write's rejection, or null when durable.
    private static async Task WriteOneByOneAsync(IReadOnlyList<AtomicWrite> writes, Exception?[] results, Func<AtomicWrite, Task<Exception?>> writeOne)
    {
        HashSet<string>? rejectedIds = null;
        for (var w = 0; w < writes.Count; w++)
        {
            var write = writes[w];
            if (rejectedIds is not null && rejectedIds.Contains(write.PersistenceId))
            {
                results[w] = WriteRejections.PredecessorRejected(write);
                continue;
            }

            try
            {
                results[w] = await writeOne(write).ConfigureAwait(false);
            }
            catch (PostgresException e) when (IsKeyConflict(e))
            {
                results[w] = new JournalSequenceConflictException(write.PersistenceId, write.FromSequenceNr, write.WriterId, e);
            }

            if (results[w] is not null)
            {
                (rejectedIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(write.PersistenceId);
            }
        }
    }

    private async Task WriteInOneTransactionAsync(
        NpgsqlConnection connection, IReadOnlyList<AtomicWrite> writes, int start, int count, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        // Without the test hook the batch runs in PostgreSQL's implicit transaction: its statements go out as one
        // pipeline ending in a single Sync, the server commits at the Sync (with synchronous_commit on, after the
        // WAL flush) and only then answers ReadyForQuery, so the batch returns once it is durable. One round trip
        // per transaction instead of two (statement, then COMMIT); if a statement fails, nothing of the batch
        // commits. An explicit transaction is kept only for the hook, which must run before COMMIT.
        var hook = BeforeCommit;
        await using var transaction = hook is null ? null : await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await InsertAsync(connection, transaction, writes, start, count, timestamp, cancellationToken).ConfigureAwait(false);
        if (transaction is not null)
        {
            await hook!(connection).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<AtomicWrite> writes, int start, int count, DateTimeOffset timestamp,
        CancellationToken cancellationToken, IReadOnlyList<NpgsqlBatchCommand>? first = null)
    {
        var events = 0;
        var tags = 0;
        for (var w = start; w < start + count; w++)
        {
            events += writes[w].Events.Count;
            foreach (var e in writes[w].Events)
            {
                tags += e.Tags.Count;
            }
        }

        var pids = new string[events];
        var seqs = new long[events];
        var manifests = new string[events];
        var versions = new int[events];
        var payloads = new byte[events][];
        var tagColumns = new string[events];
        var writers = new string[events];
        var tagNames = new string[tags];
        var tagIndexes = new long[tags];
        var i = 0;
        var t = 0;
        for (var w = start; w < start + count; w++)
        {
            var write = writes[w];
            var sequenceNr = write.FromSequenceNr;
            foreach (var e in write.Events)
            {
                pids[i] = write.PersistenceId;
                seqs[i] = sequenceNr++;
                manifests[i] = e.Payload.Manifest;
                versions[i] = e.Payload.Version;
                payloads[i] = PayloadBytes.AsArray(e.Payload.Bytes);
                tagColumns[i] = TagCodec.Encode(e.Tags);
                writers[i] = write.WriterId;
                i++;
                foreach (var tag in e.Tags)
                {
                    tagNames[t] = tag;
                    tagIndexes[t++] = i;
                }
            }
        }

        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(InsertSql)
                {
                    Parameters =
                    {
                        new NpgsqlParameter<long> { TypedValue = events },
                        new NpgsqlParameter<string[]> { TypedValue = pids },
                        new NpgsqlParameter<long[]> { TypedValue = seqs },
                        new NpgsqlParameter<string[]> { TypedValue = manifests },
                        new NpgsqlParameter<int[]> { TypedValue = versions },
                        new NpgsqlParameter<byte[][]> { TypedValue = payloads },
                        new NpgsqlParameter<string[]> { TypedValue = tagColumns },
                        new NpgsqlParameter<string[]> { TypedValue = writers },
                        new NpgsqlParameter<DateTimeOffset> { TypedValue = timestamp },
                        new NpgsqlParameter<string[]> { TypedValue = tagNames },
                        new NpgsqlParameter<long[]> { TypedValue = tagIndexes },
                    },
                },
            },
        };
        if (_options.NotifyOnAppend)
        {
            // Delivered only if and when the transaction commits, so a woken reader always finds the events.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_notify($1, '')") { Parameters = { new NpgsqlParameter<string> { TypedValue = _options.NotificationChannel } } });
        }

        for (var c = 0; c < (first?.Count ?? 0); c++)
        {
            batch.BatchCommands.Insert(c, first![c]);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // A fenced batch reads the lease rows FOR SHARE before it inserts, so a node taking a lease over (an UPDATE of its
    // row) waits until this append commits or aborts, and the new holder's recovery then sees every event appended under
    // the old epoch. First in one round trip, refused as a whole if any fence fails; then, to tell which writes the
    // fences refuse, in an explicit transaction. Key conflicts fall back to one transaction per write, as unfenced.
    private async Task WriteFencedAsync(
        NpgsqlConnection connection, IReadOnlyList<AtomicWrite> writes, Exception?[] results, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        if (BeforeCommit is null)
        {
            try
            {
                await WriteFencedInOneRoundTripAsync(connection, writes, timestamp, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException e) when (e.SqlState == FenceMismatch || IsKeyConflict(e))
            {
                // Nothing of the batch committed: sort out which writes the fences or the keys refuse, the slow way.
            }
        }

        try
        {
            await WriteFencedOnceAsync(connection, writes, results, timestamp, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (PostgresException e) when (IsKeyConflict(e))
        {
            Array.Clear(results);
        }

        await WriteOneByOneAsync(writes, results, async write =>
        {
            var one = new Exception?[1];
            await WriteFencedOnceAsync(connection, [write], one, timestamp, cancellationToken).ConfigureAwait(false);
            return one[0];
        }).ConfigureAwait(false);
    }

    // The common case, every fence still held, in one round trip: the batch runs in PostgreSQL's implicit transaction
    // (one pipeline, one Sync), so the lease rows are locked FOR SHARE, checked, and the events inserted atomically; a
    // fence that no longer holds makes the check divide by zero, which aborts the whole batch before anything commits.
    private async Task WriteFencedInOneRoundTripAsync(NpgsqlConnection connection, IReadOnlyList<AtomicWrite> writes, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        var fences = writes.Where(w => w.Fence is not null).Select(w => w.Fence!).Distinct().ToArray();
        // One statement locks the lease rows FOR SHARE (in the sub-select) and checks the fences against the locked rows.
        var check = new NpgsqlBatchCommand("""
            SELECT 1 / (CASE WHEN EXISTS (
                SELECT 1 FROM unnest($1::text[], $2::text[], $3::bigint[]) AS f(name, owner, epoch)
                LEFT JOIN (SELECT name, owner, epoch, expires_at FROM lease WHERE name = ANY($1) FOR SHARE) l ON l.name = f.name
                WHERE l.name IS NULL OR l.owner IS DISTINCT FROM f.owner OR l.epoch <> f.epoch OR l.expires_at <= clock_timestamp())
            THEN 0 ELSE 1 END)
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<string[]> { TypedValue = fences.Select(f => f.LeaseName).ToArray() },
                new NpgsqlParameter<string[]> { TypedValue = fences.Select(f => f.Owner).ToArray() },
                new NpgsqlParameter<long[]> { TypedValue = fences.Select(f => f.Epoch).ToArray() },
            },
        };
        await InsertAsync(connection, null, writes, 0, writes.Count, timestamp, cancellationToken, [check]).ConfigureAwait(false);
    }

    private async Task WriteFencedOnceAsync(
        NpgsqlConnection connection, IReadOnlyList<AtomicWrite> writes, Exception?[] results, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var leases = await ReadLeasesForShareAsync(connection, transaction, writes, cancellationToken).ConfigureAwait(false);
        var admitted = FencedWrites.Screen(writes, results, fence => RejectionOf(fence, leases));
        if (admitted.Count > 0)
        {
            var subset = admitted.Count == writes.Count ? writes : admitted.Select(w => writes[w]).ToArray();
            await InsertAsync(connection, transaction, subset, 0, subset.Count, timestamp, cancellationToken).ConfigureAwait(false);
        }

        if (BeforeCommit is { } hook)
        {
            await hook(connection).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Dictionary<string, (string? Owner, long Epoch, bool Live)>> ReadLeasesForShareAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken)
    {
        var names = writes.Where(w => w.Fence is not null).Select(w => w.Fence!.LeaseName).Distinct(StringComparer.Ordinal).ToArray();
        var leases = new Dictionary<string, (string? Owner, long Epoch, bool Live)>(names.Length, StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(
            "SELECT name, owner, epoch, expires_at > clock_timestamp() FROM lease WHERE name = ANY($1) FOR SHARE", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = names });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            leases[reader.GetString(0)] = (reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2), reader.GetBoolean(3));
        }

        return leases;
    }

    private static string? RejectionOf(WriteFence fence, Dictionary<string, (string? Owner, long Epoch, bool Live)> leases)
    {
        if (!leases.TryGetValue(fence.LeaseName, out var lease))
        {
            return "no such lease";
        }

        if (lease.Owner is null)
        {
            return $"the lease was released (epoch {lease.Epoch})";
        }

        if (lease.Epoch != fence.Epoch || !string.Equals(lease.Owner, fence.Owner, StringComparison.Ordinal))
        {
            return $"the lease is now held by '{lease.Owner}' at epoch {lease.Epoch}";
        }

        return lease.Live ? null : "the lease expired";
    }
}
