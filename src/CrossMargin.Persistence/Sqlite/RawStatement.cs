using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// A statement prepared once on a connection and stepped through SQLite's C API: the append path runs a few
/// statements per event, and going through ADO.NET (a data reader per ExecuteNonQuery) costs more than SQLite itself;
/// a replay of a short history costs less than preparing its queries. On the write connection it is used only under the
/// database's write lock, inside a transaction the journal's batch opens with its own prepared BEGIN; on a replay
/// connection (<see cref="SqliteReplayReaders"/>) by one replay at a time.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private const int SqliteRow = 100;
    private const int SqliteDone = 101;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The write connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"Preparing '{sql}' failed: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc, raw.sqlite3_extended_errcode(_db));
        }
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    /// <summary>Binds text, encoding it to UTF-8 on the stack when short (SQLitePCL's string overload allocates an array per call).</summary>
    public void Bind(int index, string value)
    {
        const int StackLimit = 512;
        // An empty span would bind NULL (its pointer is null), so the empty string takes the string overload too.
        if (value.Length == 0 || value.Length > StackLimit / 3)
        {
            Check(raw.sqlite3_bind_text(_statement, index, value));
            return;
        }

        Span<byte> utf8 = stackalloc byte[StackLimit];
        var length = System.Text.Encoding.UTF8.GetBytes(value, utf8);
        Check(raw.sqlite3_bind_text(_statement, index, utf8[..length]));
    }

    public void Bind(int index, ReadOnlySpan<byte> value) => Check(raw.sqlite3_bind_blob(_statement, index, value));

    /// <summary>Runs the statement to completion (or to its first row, whose column 0 it returns) and resets it.</summary>
    /// <exception cref="SqliteException">SQLite reported an error (for example a constraint violation).</exception>
    public long Step()
    {
        var rc = raw.sqlite3_step(_statement);
        try
        {
            return rc switch
            {
                SqliteDone => 0,
                SqliteRow => raw.sqlite3_column_int64(_statement, 0),
                _ => throw new SqliteException($"SQLite error {rc}: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc, raw.sqlite3_extended_errcode(_db)),
            };
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Runs the statement to its first row and returns its first two columns, or false when it has none; resets it.</summary>
    /// <exception cref="SqliteException">SQLite reported an error.</exception>
    public bool StepRow(out long first, out long second)
    {
        var rc = raw.sqlite3_step(_statement);
        try
        {
            switch (rc)
            {
                case SqliteRow:
                    first = raw.sqlite3_column_int64(_statement, 0);
                    second = raw.sqlite3_column_int64(_statement, 1);
                    return true;
                case SqliteDone:
                    (first, second) = (0, 0);
                    return false;
                default:
                    throw new SqliteException($"SQLite error {rc}: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc, raw.sqlite3_extended_errcode(_db));
            }
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Steps to the next row without resetting: true on a row (read it with the column accessors), false when done.</summary>
    /// <exception cref="SqliteException">SQLite reported an error; the statement is reset.</exception>
    public bool Next()
    {
        var rc = raw.sqlite3_step(_statement);
        switch (rc)
        {
            case SqliteRow:
                return true;
            case SqliteDone:
                return false;
            default:
                var error = new SqliteException($"SQLite error {rc}: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc, raw.sqlite3_extended_errcode(_db));
                raw.sqlite3_reset(_statement);
                throw error;
        }
    }

    /// <summary>Ends a <see cref="Next"/> iteration early or late, so the statement can run again (and frees its read snapshot).</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    public string Text(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string() ?? string.Empty;

    public byte[] Blob(int column) => raw.sqlite3_column_blob(_statement, column).ToArray();

    /// <summary>Binds SQL NULL.</summary>
    public void BindNull(int index) => Check(raw.sqlite3_bind_null(_statement, index));

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"Binding failed: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc, raw.sqlite3_extended_errcode(_db));
        }
    }
}
