using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// Read connections kept for replays, each with the head, scan and chain statements prepared once. Through ADO.NET a
/// replay opened a pooled connection and prepared two queries every time, which cost more than reading a 50-event
/// history (the recursive chain query alone takes ~73 µs to prepare). A reader serves one replay at a time; idle ones
/// wait in a bag, and more are opened when every one is busy (recoveries run side by side).
/// </summary>
internal sealed class SqliteReplayReaders : IDisposable
{
    private const int MaxIdle = 8;

    // Numbered parameters shared by both plans: ?1 first ordering, ?2 last ordering, ?3 persistence id, ?4 from, ?5 to,
    // ?6 max. Within one id orderings rise with sequence numbers (an append must start above the head), so both read
    // rows in rowid order, which is sequence order: no sort.
    private const string Selected = "SELECT sequence_nr, ordering, manifest, version, payload, tags, writer_id, timestamp FROM event_journal ";
    private const string Filter = "AND persistence_id = ?3 AND sequence_nr >= ?4 AND sequence_nr <= ?5 ORDER BY ordering LIMIT ?6";

    private readonly ConcurrentBag<Reader> _idle = [];
    private readonly string _connectionString;
    private readonly long _busyTimeoutMilliseconds;
    private int _disposed;

    public SqliteReplayReaders(string connectionString, TimeSpan busyTimeout)
    {
        // Unpooled: the prepared statements belong to this connection, which the pool could otherwise hand to another reader.
        _connectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString();
        _busyTimeoutMilliseconds = (long)busyTimeout.TotalMilliseconds;
    }

    /// <summary>An idle reader, or a new one when all are busy; give it back with <see cref="Return"/>.</summary>
    public async ValueTask<Reader> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (_idle.TryTake(out var idle))
        {
            return idle;
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds}";
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return new Reader(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Takes a reader back (its statements reset by the caller); closes it when enough are idle or the store is closed.</summary>
    public void Return(Reader reader)
    {
        if (Volatile.Read(ref _disposed) == 1 || _idle.Count >= MaxIdle)
        {
            reader.Dispose();
            return;
        }

        _idle.Add(reader);
        if (Volatile.Read(ref _disposed) == 1)
        {
            // Disposed while it was being added: drain again so nothing stays open.
            Drain();
        }
    }

    /// <summary>Closes the idle readers; busy ones close when they are returned.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, 1);
        Drain();
    }

    private void Drain()
    {
        while (_idle.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    /// <summary>One replay connection and its prepared statements.</summary>
    internal sealed class Reader : IDisposable
    {
        private readonly SqliteConnection _connection;

        public Reader(SqliteConnection connection)
        {
            _connection = connection;
            Head = new RawStatement(connection, "SELECT highest_sequence_nr, last_ordering, first_ordering FROM journal_head WHERE persistence_id = ?1");
            Scan = new RawStatement(connection, Selected + "WHERE ordering >= ?1 AND ordering <= ?2 " + Filter);

            // The id's orderings newest first, walked back from its last event through previous_ordering until before
            // the first wanted (a deleted event ends the chain: its row is gone).
            Chain = new RawStatement(connection,
                "WITH RECURSIVE chain(ordering) AS (SELECT ?2 " +
                "UNION ALL SELECT j.previous_ordering FROM event_journal j JOIN chain c ON j.ordering = c.ordering " +
                "WHERE j.sequence_nr > ?4 AND j.previous_ordering IS NOT NULL) " +
                Selected + "WHERE ordering IN (SELECT ordering FROM chain) " + Filter);
        }

        /// <summary>The id's highest sequence number, last and first ordering; no row for an id never written.</summary>
        public RawStatement Head { get; }

        /// <summary>Every row between the id's first and last ordering, filtered to the id: for a history written mostly alone.</summary>
        public RawStatement Scan { get; }

        /// <summary>The id's rows found by walking its chain: for a history interleaved with others.</summary>
        public RawStatement Chain { get; }

        public void Dispose()
        {
            Head.Dispose();
            Scan.Dispose();
            Chain.Dispose();
            _connection.Dispose();
        }
    }
}
