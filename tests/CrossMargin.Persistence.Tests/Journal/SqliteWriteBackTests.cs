using CrossMargin.Persistence.Sqlite;
using CrossMargin.Persistence.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Tests.Journal;

/// <summary>
/// The early write-out reaches the database file through SQLite's own descriptor, found where SQLite's unix VFS keeps
/// it, and uses it only when the kernel says it names that file.
/// </summary>
public sealed class SqliteWriteBackTests : IDisposable
{
    private readonly SqliteBackend _backend = new();

    public void Dispose() => _backend.DeleteFiles();

    [Fact]
    public void SQLites_descriptor_is_used_only_when_it_names_the_database_file()
    {
        using var connection = new SqliteConnection($"Data Source={_backend.DatabasePath};Pooling=False");
        connection.Open();

        Assert.NotNull(SqliteWriteBack.Open(connection, Path.GetFullPath(_backend.DatabasePath)));
        Assert.Null(SqliteWriteBack.Open(connection, Path.GetFullPath(_backend.DatabasePath) + "-other"));
    }
}
