using Npgsql;

namespace CrossMargin.Cluster.Membership;

/// <summary>
/// Membership rows in PostgreSQL (tables <c>cluster_member</c> and <c>cluster_event</c>, created by the persistence
/// migrations). Liveness is a heartbeat timestamp judged by the database clock.
/// </summary>
public sealed class PostgresMembership
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the store over <paramref name="dataSource"/>; the schema must be migrated (PostgresPersistence.MigrateAsync).</summary>
    public PostgresMembership(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
    }

    /// <summary>Records <paramref name="nodeId"/> as up (joining again after a leave or a down is allowed) and logs the event.</summary>
    public Task JoinAsync(string nodeId, string httpAddress, IReadOnlyList<string> roles, string version, CancellationToken cancellationToken = default) =>
        JoinAsync(nodeId, httpAddress, roles, version, brokerUser: null, TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// Records <paramref name="nodeId"/> as up with the RabbitMQ user its broker connection logs in as
    /// (<paramref name="brokerUser"/>; null records none and compares nothing) and logs the event, unless a live member
    /// (up or leaving, heartbeat younger than <paramref name="liveWithin"/>) recorded another user.
    /// </summary>
    /// <exception cref="BrokerUserMismatchException">A live member logs in as another user; nothing was recorded.</exception>
    public async Task JoinAsync(
        string nodeId, string httpAddress, IReadOnlyList<string> roles, string version, string? brokerUser, TimeSpan liveWithin, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentNullException.ThrowIfNull(httpAddress);
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(version);
        if (roles.Any(r => r.Contains(',', StringComparison.Ordinal)))
        {
            throw new ArgumentException("A role name cannot contain a comma.", nameof(roles));
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Joins queue up here: two nodes with different users starting at once cannot each find the other absent.
        await using (var serialize = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('cluster_member.join'))", connection, transaction))
        {
            await serialize.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (brokerUser is not null
            && await OtherBrokerUserAsync(connection, transaction, nodeId, brokerUser, liveWithin, cancellationToken).ConfigureAwait(false) is { } other)
        {
            throw new BrokerUserMismatchException(
                $"Node '{nodeId}' logs in to RabbitMQ as '{brokerUser}', but live member '{other.NodeId}' logs in as '{other.User}': every node of a " +
                "cluster must use the same RabbitMQ user (a shard owner takes the coordinator's commands only from its own user), so " +
                $"'{nodeId}' does not join. Give it the cluster's credentials (RabbitMq:Uri or RabbitMq:UserName), or stop every node before changing them.");
        }

        await using (var command = new NpgsqlCommand("""
            INSERT INTO cluster_member AS m (node_id, http_address, roles, version, status, joined_at, heartbeat_at, broker_user)
            VALUES ($1, $2, $3, $4, 'up', clock_timestamp(), clock_timestamp(), $5)
            ON CONFLICT (node_id) DO UPDATE SET http_address = excluded.http_address, roles = excluded.roles,
                version = excluded.version, status = 'up', joined_at = excluded.joined_at, heartbeat_at = excluded.heartbeat_at,
                broker_user = excluded.broker_user
            """, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = nodeId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = httpAddress });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = string.Join(',', roles) });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = version });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)brokerUser ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var detail = $"{httpAddress} roles [{string.Join(", ", roles)}] version {version}" + (brokerUser is null ? "" : $" RabbitMQ user {brokerUser}");
        await RecordAsync(nodeId, "joined", detail, cancellationToken).ConfigureAwait(false);
    }

    // The first live member (by id) other than nodeId that recorded a RabbitMQ user other than user; null when none.
    private static async Task<(string NodeId, string User)?> OtherBrokerUserAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string nodeId, string user, TimeSpan liveWithin, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT node_id, broker_user FROM cluster_member WHERE node_id <> $1 AND broker_user IS NOT NULL AND broker_user <> $2 " +
            "AND status IN ('up', 'leaving') AND heartbeat_at > clock_timestamp() - $3 ORDER BY node_id LIMIT 1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = nodeId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = user });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = liveWithin });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>Refreshes the heartbeat of <paramref name="nodeId"/>.</summary>
    /// <returns>Its status after the heartbeat; <see cref="MemberStatus.Down"/> or <see cref="MemberStatus.Left"/> (or no row) mean the node must stop serving.</returns>
    public async Task<MemberStatus?> HeartbeatAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        await using var command = _dataSource.CreateCommand(
            "UPDATE cluster_member SET heartbeat_at = clock_timestamp() WHERE node_id = $1 RETURNING status");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = nodeId });
        var status = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        return status is null ? null : Parse(status);
    }

    /// <summary>Sets the status of <paramref name="nodeId"/> (leave, left, down) and logs the event.</summary>
    /// <returns>False when there is no such member.</returns>
    public async Task<bool> SetStatusAsync(string nodeId, MemberStatus status, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentNullException.ThrowIfNull(reason);
        await using var command = _dataSource.CreateCommand("UPDATE cluster_member SET status = $2 WHERE node_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = nodeId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Format(status) });
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return false;
        }

        await RecordAsync(nodeId, Format(status), reason, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Every member (left ones included), with reachability judged against <paramref name="heartbeatTimeout"/>.</summary>
    public async Task<IReadOnlyList<Member>> ReadMembersAsync(TimeSpan heartbeatTimeout, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT node_id, http_address, roles, version, status, joined_at, heartbeat_at, heartbeat_at > clock_timestamp() - $1, broker_user " +
            "FROM cluster_member ORDER BY node_id");
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = heartbeatTimeout });
        var members = new List<Member>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            members.Add(new Member(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2).Split(',', StringSplitOptions.RemoveEmptyEntries),
                reader.GetString(3),
                Parse(reader.GetString(4)),
                reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetBoolean(7))
            {
                BrokerUser = reader.IsDBNull(8) ? null : reader.GetString(8),
            });
        }

        return members;
    }

    /// <summary>Appends an event to the cluster's history.</summary>
    public async Task RecordAsync(string nodeId, string kind, string detail, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(
            "INSERT INTO cluster_event (at, node_id, kind, detail) VALUES (clock_timestamp(), $1, $2, $3)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = nodeId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = detail });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records several events of <paramref name="nodeId"/> in one statement, in the order given.</summary>
    public async Task RecordAsync(string nodeId, IReadOnlyList<(string Kind, string Detail)> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        await using var command = _dataSource.CreateCommand(
            "INSERT INTO cluster_event (at, node_id, kind, detail) SELECT clock_timestamp(), $1, e.kind, e.detail "
            + "FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS e(kind, detail, n) ORDER BY e.n");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = nodeId });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. events.Select(e => e.Kind)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. events.Select(e => e.Detail)] });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Events after <paramref name="afterId"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<ClusterEvent>> ReadEventsAsync(long afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var command = _dataSource.CreateCommand(
            "SELECT id, at, node_id, kind, detail FROM cluster_event WHERE id > $1 ORDER BY id LIMIT $2");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var events = new List<ClusterEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new ClusterEvent(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        }

        return events;
    }

    private static string Format(MemberStatus status) => status switch
    {
        MemberStatus.Up => "up",
        MemberStatus.Leaving => "leaving",
        MemberStatus.Left => "left",
        MemberStatus.Down => "down",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown member status."),
    };

    private static MemberStatus Parse(string status) => status switch
    {
        "up" => MemberStatus.Up,
        "leaving" => MemberStatus.Leaving,
        "left" => MemberStatus.Left,
        "down" => MemberStatus.Down,
        _ => throw new InvalidOperationException($"Unknown member status '{status}' in cluster_member."),
    };
}
