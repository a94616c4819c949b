using CrossMargin.Persistence.Sqlite;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Tests.Infrastructure;

/// <summary>A fresh data directory per test; every store opened on it shares the one database file.</summary>
public sealed class SqliteBackend
{
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("cm-sqlite-").FullName;

    public SqlitePersistenceOptions Options => new() { DataDirectory = DataDirectory };

    public string DatabasePath => Path.Combine(DataDirectory, Options.FileName);

    public async Task<StoreUnderTest> OpenAsync(TimeProvider time)
    {
        var persistence = await SqlitePersistence.OpenAsync(Options, time).Within();
        return new StoreUnderTest(persistence.Journal, persistence.SnapshotStore, persistence, () =>
        {
            persistence.BeforeCommit = () =>
            {
                persistence.BeforeCommit = null;
                throw new IOException("Simulated crash: the writer died after its inserts, before COMMIT.");
            };
            return Task.CompletedTask;
        });
    }

    public async Task<IReadOnlyList<int>> SchemaVersionsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_version ORDER BY version";
        var versions = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    public void DeleteFiles()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless.
        }
    }
}
