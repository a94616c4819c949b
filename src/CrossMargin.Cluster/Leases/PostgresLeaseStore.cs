using Npgsql;

namespace CrossMargin.Cluster.Leases;

/// <summary>
/// Leases in PostgreSQL (table <c>lease</c>, created by the persistence migrations). Expiry is judged by the database
/// clock alone, so nodes never compare their own clocks; every change of holder increments the epoch, which is the
/// fencing token journal writes carry.
/// </summary>
public sealed class PostgresLeaseStore
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the store over <paramref name="dataSource"/>; the schema must be migrated (PostgresPersistence.MigrateAsync).</summary>
    public PostgresLeaseStore(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
    }

    /// <summary>
    /// Takes lease <paramref name="name"/> for <paramref name="owner"/> if nobody else holds it live (never taken,
    /// released, expired, or the owner's own), always at a new epoch. Taking is the start of a new hold, never a renewal
    /// (<see cref="RenewAsync"/> keeps the epoch): a lease the owner's row still holds live belongs to an earlier hold it
    /// gave up without releasing (a failed release, a self-fence, a restart under the same name), whose work may still be
    /// writing, and the new epoch fences that work off.
    /// </summary>
    /// <returns>The lease, or null when another node holds it live.</returns>
    public async Task<Lease?> TryAcquireAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO lease AS l (name, owner, epoch, expires_at, acquired_at, renewed_at)
            VALUES ($1, $2, 1, clock_timestamp() + $3, clock_timestamp(), clock_timestamp())
            ON CONFLICT (name) DO UPDATE SET
                owner = excluded.owner,
                epoch = l.epoch + 1,
                expires_at = excluded.expires_at,
                acquired_at = excluded.acquired_at,
                renewed_at = excluded.renewed_at
            WHERE l.owner IS NULL OR l.expires_at <= clock_timestamp() OR l.owner = excluded.owner
            RETURNING epoch, expires_at
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = ttl });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new Lease(name, owner, reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1))
            : null;
    }

    /// <summary>
    /// Extends, in one statement, those of <paramref name="names"/> that <paramref name="owner"/> still holds live, by
    /// <paramref name="ttl"/>. A lease that expired is not renewed even if nobody took it yet: its holder may have been
    /// frozen and must treat it as lost (and take it again, with a new epoch). Only the named ones: a lease the owner no
    /// longer serves (its release failed) must expire rather than be kept from the node the shard moved to.
    /// </summary>
    /// <returns>The named leases held after renewal.</returns>
    public async Task<IReadOnlyList<Lease>> RenewAsync(string owner, IReadOnlyCollection<string> names, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        if (names.Count == 0)
        {
            return [];
        }

        await using var command = _dataSource.CreateCommand("""
            UPDATE lease SET expires_at = clock_timestamp() + $2, renewed_at = clock_timestamp()
            WHERE owner = $1 AND name = ANY($3) AND expires_at > clock_timestamp()
            RETURNING name, epoch, expires_at
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = ttl });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. names] });
        var leases = new List<Lease>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            leases.Add(new Lease(reader.GetString(0), owner, reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }

        return leases;
    }

    /// <summary>Gives <paramref name="lease"/> up so the next holder need not wait for it to expire.</summary>
    /// <returns>False when it was no longer held at that epoch (nothing changed).</returns>
    public async Task<bool> ReleaseAsync(Lease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var command = _dataSource.CreateCommand(
            "UPDATE lease SET owner = NULL, expires_at = clock_timestamp() WHERE name = $1 AND owner = $2 AND epoch = $3");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lease.Name });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lease.Owner });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = lease.Epoch });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Every lease whose name starts with <paramref name="prefix"/>, ordered by name.</summary>
    public async Task<IReadOnlyList<LeaseRecord>> ReadAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        await using var command = _dataSource.CreateCommand(
            "SELECT name, owner, epoch, expires_at, owner IS NOT NULL AND expires_at > clock_timestamp() FROM lease " +
            "WHERE starts_with(name, $1) ORDER BY name");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
        var leases = new List<LeaseRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            leases.Add(new LeaseRecord(
                reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetBoolean(4)));
        }

        return leases;
    }
}
