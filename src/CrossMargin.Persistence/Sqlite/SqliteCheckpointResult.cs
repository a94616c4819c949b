namespace CrossMargin.Persistence.Sqlite;

/// <summary>What one <c>sqlite3_wal_checkpoint_v2</c> pass returned.</summary>
/// <param name="Result">Its result code (SQLITE_OK, SQLITE_BUSY or an error; primary unless extended codes are on).</param>
/// <param name="ExtendedResult">The connection's extended result code after an error (SQLITE_IOERR_FSYNC for a failed fsync); the result otherwise.</param>
/// <param name="Log">Frames in the WAL, or -1 after an error.</param>
/// <param name="Copied">Frames checkpointed, or -1 after an error.</param>
internal readonly record struct SqliteCheckpointResult(int Result, int ExtendedResult, int Log, int Copied);
