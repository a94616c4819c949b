namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// One background checkpoint's pass holding the journal's write lock, in parts: what a commit arriving then waited for.
/// </summary>
/// <param name="Held">How long the write lock was held, in all.</param>
/// <param name="WalSync">The WAL's fsync before the copy (SQLite's order: the frames are durable before the database gets them).</param>
/// <param name="Copy">Copying the frames committed since the last unlocked pass into the database file.</param>
/// <param name="DatabaseSync">The database file's fsync, which must finish before a transaction may restart the WAL.</param>
/// <param name="Frames">Frames the pass copied.</param>
public sealed record SqliteLockedPass(TimeSpan Held, TimeSpan WalSync, TimeSpan Copy, TimeSpan DatabaseSync, int Frames)
{
    /// <summary>No pass yet.</summary>
    public static readonly SqliteLockedPass None = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 0);
}
