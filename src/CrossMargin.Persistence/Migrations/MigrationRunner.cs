using System.Data.Common;
using System.Globalization;
using System.Reflection;

namespace CrossMargin.Persistence.Migrations;

/// <summary>
/// Applies the embedded, numbered migrations of one backend that the database has not seen yet, each recorded in
/// <c>schema_version</c>, all in one transaction (DDL is transactional in SQLite and PostgreSQL), so a start-up
/// either brings the schema fully up to date or leaves it as it was. Running it again is a no-op.
/// </summary>
internal static class MigrationRunner
{
    private const string CreateVersionTable =
        "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)";

    /// <summary>The migrations embedded for <paramref name="backend"/> ("Sqlite" or "Postgres"), in order.</summary>
    public static IReadOnlyList<Migration> Load(string backend)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"CrossMargin.Persistence.Migrations.{backend}/";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var file = resource[prefix.Length..];
            var underscore = file.IndexOf('_', StringComparison.Ordinal);
            if (underscore < 1 || !int.TryParse(file.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration resource '{resource}' must be named NNNN_name.sql.");
            }

            migrations.Add(new Migration(version, Path.GetFileNameWithoutExtension(file), Read(assembly, resource)));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"{backend} migrations must be numbered 1, 2, 3... without gaps; found {migrations[i].Name} at position {i + 1}.");
            }
        }

        return migrations;
    }

    /// <summary>
    /// Applies what is missing. <paramref name="serializeStatement"/> runs first in the transaction so concurrent
    /// start-ups queue up instead of racing on CREATE TABLE (an advisory lock on PostgreSQL; SQLite's write lock is
    /// taken by BEGIN IMMEDIATE).
    /// </summary>
    /// <returns>The versions applied now.</returns>
    public static async Task<IReadOnlyList<int>> ApplyAsync(
        DbConnection connection, string backend, string? serializeStatement, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var migrations = Load(backend);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (serializeStatement is not null)
        {
            await ExecuteAsync(connection, transaction, serializeStatement, cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, CreateVersionTable, cancellationToken).ConfigureAwait(false);
        var applied = new HashSet<int>();
        await using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = "SELECT version FROM schema_version";
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var newlyApplied = new List<int>();
        foreach (var migration in migrations.Where(m => !applied.Contains(m.Version)))
        {
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_version (version, name, applied_at) VALUES (@version, @name, @applied_at)";
            AddParameter(record, "@version", migration.Version);
            AddParameter(record, "@name", migration.Name);
            AddParameter(record, "@applied_at", timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            newlyApplied.Add(migration.Version);
        }

        var unknown = applied.Where(v => v > migrations.Count).ToArray();
        if (unknown.Length > 0)
        {
            // A newer node migrated this database: an older binary must not write to a schema it does not know.
            throw new InvalidOperationException(
                $"The database has schema version {unknown.Max()} but this build knows only up to {migrations.Count} ({backend}). Upgrade this node.");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return newlyApplied;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        // As long as it needs, bounded by the start's cancellation only: a backfill reads the whole journal (0005), which
        // on a production journal outlasts a connection's command timeout (30 s unless set), and a migration timed out
        // rolls back, so every start of the upgraded node failed. The same for a node waiting on the lock of one migrating.
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Migration resource '{resource}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
