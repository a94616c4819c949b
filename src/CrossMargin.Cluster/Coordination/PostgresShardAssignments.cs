using CrossMargin.Persistence.Journal;
using Npgsql;

namespace CrossMargin.Cluster.Coordination;

/// <summary>The shard coordinator's plan in PostgreSQL (table <c>shard_assignment</c>): which node each shard should live on.</summary>
public sealed class PostgresShardAssignments
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the store over <paramref name="dataSource"/>; the schema must be migrated (PostgresPersistence.MigrateAsync).</summary>
    public PostgresShardAssignments(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
    }

    /// <summary>The plan for <paramref name="region"/>: shard to node.</summary>
    public async Task<IReadOnlyDictionary<int, string>> ReadAsync(string region, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        await using var command = _dataSource.CreateCommand("SELECT shard_id, node_id FROM shard_assignment WHERE region = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = region });
        var plan = new Dictionary<int, string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            plan[reader.GetInt32(0)] = reader.GetString(1);
        }

        return plan;
    }

    /// <summary>
    /// Writes <paramref name="changes"/> in one statement, only while <paramref name="coordinator"/>'s lease (the shard
    /// coordinator singleton's) is still held by its owner at its epoch and unexpired. The lease row is read
    /// <c>FOR SHARE</c> in the same statement, as the journal's fenced appends do: a node taking the coordinator over
    /// waits for a plan that passed the check, and a coordinator that lost the lease (frozen past it) writes nothing.
    /// </summary>
    /// <returns>False when the fence refused the write (nothing was written).</returns>
    public async Task<bool> AssignAsync(string region, IReadOnlyList<KeyValuePair<int, string>> changes, WriteFence coordinator, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(coordinator);
        if (changes.Count == 0)
        {
            return true;
        }

        await using var command = _dataSource.CreateCommand("""
            WITH fence AS (
                SELECT 1 FROM lease WHERE name = $4 AND owner = $5 AND epoch = $6 AND expires_at > clock_timestamp() FOR SHARE)
            INSERT INTO shard_assignment (region, shard_id, node_id, assigned_at)
            SELECT $1, s, n, clock_timestamp() FROM unnest($2::integer[], $3::text[]) AS u(s, n) WHERE EXISTS (SELECT 1 FROM fence)
            ON CONFLICT (region, shard_id) DO UPDATE SET node_id = excluded.node_id, assigned_at = excluded.assigned_at
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = region });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = changes.Select(c => c.Key).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = changes.Select(c => c.Value).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = coordinator.LeaseName });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = coordinator.Owner });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = coordinator.Epoch });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }
}
