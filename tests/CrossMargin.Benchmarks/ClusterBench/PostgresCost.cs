using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CrossMargin.Testing.Postgres;
using Npgsql;

namespace CrossMargin.Benchmarks.ClusterBench;

/// <summary>
/// What PostgreSQL did for an end-to-end phase, per execution: WAL by record type (pg_waldump between the phase's LSNs,
/// exact), rows written (the journal's exact count from event_ordering; the rest from pg_stat_user_tables, which
/// backends flush up to seconds late: approximate), autovacuum and analyze runs, MultiXact pages (pg_stat_slru), and,
/// when the server preloads pg_stat_statements, the statements' time and WAL. Session 29: the CPU PostgreSQL spends
/// per execution had never been broken down.
/// </summary>
internal static partial class PostgresCost
{
    private const string TablesSql = """
        SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, autovacuum_count, autoanalyze_count
        FROM pg_stat_user_tables WHERE relname IN ('event_journal', 'event_tag', 'snapshot_store', 'lease', 'event_ordering', 'cluster_member')
        """;

    /// <summary>Counters at one instant.</summary>
    internal sealed record Counters(
        string Lsn, long Ordering, Dictionary<string, long[]> Tables, long MultiXactZeroed, long MultiXactWritten, long Checkpoints, bool Statements,
        Dictionary<int, (string Role, long User, long System)> Processes);

    // The postmaster's children by role (the process title's first word: a backend's is its user), with their user and
    // system ticks: PostgreSQL's CPU figure is their sum, and session 12's perf put most of it in the kernel.
    private static Dictionary<int, (string Role, long User, long System)> Processes(string dataDirectory)
    {
        var processes = new Dictionary<int, (string, long, long)>();
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).First(), NumberStyles.None, CultureInfo.InvariantCulture, out var postmaster))
        {
            return processes;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (pid != postmaster && parent != postmaster)
                {
                    continue;
                }

                var title = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                var words = title.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var role = pid == postmaster ? "postmaster" : words.Length > 1 && words[0] == "postgres:" ? (words[1] == "cm" ? "backends" : words[1]) : "other";
                processes[pid] = (role, long.Parse(fields[11], CultureInfo.InvariantCulture), long.Parse(fields[12], CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // Gone meanwhile.
            }
        }

        return processes;
    }

    public static async Task<Counters> ReadAsync(string database, string rootDirectory, bool statements)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync().ConfigureAwait(false);
        string lsn;
        long ordering;
        await using (var command = new NpgsqlCommand("SELECT pg_current_wal_lsn()::text, (SELECT value FROM event_ordering WHERE id = 1)", connection))
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            await reader.ReadAsync().ConfigureAwait(false);
            (lsn, ordering) = (reader.GetString(0), reader.GetInt64(1));
        }

        var tables = new Dictionary<string, long[]>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(TablesSql, connection))
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                tables[reader.GetString(0)] = Enumerable.Range(1, 5).Select(reader.GetInt64).ToArray();
            }
        }

        long zeroed, written, checkpoints;
        await using (var command = new NpgsqlCommand(
            "SELECT (SELECT coalesce(sum(blks_zeroed), 0)::bigint FROM pg_stat_slru WHERE name LIKE 'MultiXact%'), " +
            "(SELECT coalesce(sum(blks_written), 0)::bigint FROM pg_stat_slru WHERE name LIKE 'MultiXact%'), " +
            "(SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter)", connection))
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            await reader.ReadAsync().ConfigureAwait(false);
            (zeroed, written, checkpoints) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }

        if (statements)
        {
            await using var reset = new NpgsqlCommand("SELECT pg_stat_statements_reset()", connection);
            await reset.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        return new Counters(lsn, ordering, tables, zeroed, written, checkpoints, statements, Processes(Path.Combine(rootDirectory, "data")));
    }

    /// <summary>The lines to print for a phase of <paramref name="executions"/> between <paramref name="before"/> and now.</summary>
    public static async Task<IReadOnlyList<string>> DescribeAsync(PrivatePostgresServer server, string database, Counters before, int executions)
    {
        var after = await ReadAsync(database, server.RootDirectory, statements: false).ConfigureAwait(false);
        var lines = new List<string>();
        var cpu = after.Processes.Where(p => before.Processes.TryGetValue(p.Key, out var b) && b.Role == p.Value.Role)
            .GroupBy(p => p.Value.Role)
            .Select(g => (Role: g.Key, User: g.Sum(p => p.Value.User - before.Processes[p.Key].User), System: g.Sum(p => p.Value.System - before.Processes[p.Key].System)))
            .Where(r => r.User + r.System > 0)
            .OrderByDescending(r => r.User + r.System);
        // Ticks are 10 ms; per execution in µs: ticks * 10,000 / executions.
        lines.Add("  PostgreSQL CPU per execution by process, user + system µs (processes alive through the phase; ticks of 10 ms): " + string.Join(", ", cpu.Select(r =>
            string.Create(CultureInfo.InvariantCulture, $"{r.Role} {r.User * 10_000.0 / executions:F1} + {r.System * 10_000.0 / executions:F1}"))));
        var events = after.Ordering - before.Ordering;
        long Delta(string table, int column) =>
            (after.Tables.TryGetValue(table, out var a) ? a[column] : 0) - (before.Tables.TryGetValue(table, out var b) ? b[column] : 0);
        string Per(double value) => (value / executions).ToString("F2", CultureInfo.InvariantCulture);
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"  PostgreSQL rows per execution: journal {Per(events)} (event_ordering, exact), tags {Per(Delta("event_tag", 0))}, snapshots {Per(Delta("snapshot_store", 0))} inserted; " +
            $"updates: lease {Delta("lease", 1)} ({Delta("lease", 2)} HOT), event_ordering {Delta("event_ordering", 1)}, members {Delta("cluster_member", 1)}; " +
            $"autovacuum / autoanalyze in the phase: journal {Delta("event_journal", 3)} / {Delta("event_journal", 4)}, tags {Delta("event_tag", 3)} / {Delta("event_tag", 4)}, lease {Delta("lease", 3)} / {Delta("lease", 4)} " +
            $"(pg_stat_user_tables, approximate); MultiXact SLRU pages zeroed {after.MultiXactZeroed - before.MultiXactZeroed}, written {after.MultiXactWritten - before.MultiXactWritten}; checkpoints {after.Checkpoints - before.Checkpoints}"));

        try
        {
            var dump = await server.WalStatisticsAsync(before.Lsn, after.Lsn).ConfigureAwait(false);
            var types = WalTypes(dump);
            var total = (Count: types.Sum(t => t.Count), Fpi: types.Sum(t => t.Fpi), Combined: types.Sum(t => t.Combined));
            var byType = types.OrderByDescending(t => t.Combined).ToList();
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  PostgreSQL WAL per execution: {Per(total.Combined)} B in {Per(total.Count)} records, of which full-page images {Per(total.Fpi)} B (pg_waldump between the phase's LSNs {before.Lsn}-{after.Lsn})"));
            var top = new StringBuilder("  WAL by record type per execution (count x, bytes incl. images):");
            foreach (var t in byType.Take(10))
            {
                top.Append(CultureInfo.InvariantCulture, $" {t.Type} {Per(t.Count)} x {Per(t.Combined)} B{(t.Fpi > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({Per(t.Fpi)} FPI)") : "")};");
            }

            lines.Add(top.ToString());
        }
        catch (InvalidOperationException e)
        {
            lines.Add($"  PostgreSQL WAL by record type: pg_waldump failed: {e.Message.Split('\n')[0]}");
        }

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync().ConfigureAwait(false);
        await using (var sizes = new NpgsqlCommand(
            "SELECT avg(pg_column_size(j.*)), avg(pg_column_size(persistence_id)), avg(pg_column_size(manifest)), avg(pg_column_size(payload)), avg(pg_column_size(writer_id)), " +
            "min(manifest), min(writer_id) FROM (SELECT * FROM event_journal ORDER BY ordering DESC LIMIT 1000) j", connection))
        await using (var reader = await sizes.ExecuteReaderAsync().ConfigureAwait(false))
        {
            await reader.ReadAsync().ConfigureAwait(false);
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  journal row, mean of the last 1,000 (pg_column_size, B): row {reader.GetDecimal(0):F0}, persistence_id {reader.GetDecimal(1):F0}, manifest {reader.GetDecimal(2):F0}, payload {reader.GetDecimal(3):F0}, writer_id {reader.GetDecimal(4):F0} (e.g. '{reader.GetString(5)}', '{reader.GetString(6)}')"));
        }

        if (before.Statements)
        {
            await using var command = new NpgsqlCommand(
                "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70), calls, total_exec_time, rows, wal_bytes::bigint, wal_records, wal_fpi, shared_blks_dirtied, plans, total_plan_time " +
                "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 6", connection);
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var calls = reader.GetInt64(1);
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"  statement: {reader.GetDouble(2) * 1000 / executions:F1} µs per execution, {calls:N0} calls, {reader.GetDouble(2) / Math.Max(1, calls):F3} ms each, {(double)reader.GetInt64(3) / Math.Max(1, calls):F1} rows, WAL {(double)reader.GetInt64(4) / executions:F0} B / {(double)reader.GetInt64(5) / executions:F2} records / {(double)reader.GetInt64(6) / executions:F3} FPI per execution, {reader.GetInt64(7):N0} blocks dirtied; planned {reader.GetInt64(8):N0} times, {reader.GetDouble(9) * 1000 / executions:F1} µs per execution: {reader.GetString(0)}"));
            }
        }

        return lines;
    }

    /// <summary>The per-type lines of <c>pg_waldump --stats=record</c> (its Total line has another shape and is not one).</summary>
    internal static List<(string Type, long Count, long Record, long Fpi, long Combined)> WalTypes(string dump)
    {
        var types = new List<(string, long, long, long, long)>();
        foreach (var line in dump.Split('\n'))
        {
            var match = WalLine().Match(line);
            if (match.Success)
            {
                types.Add((match.Groups[1].Value, Parse(2), Parse(3), Parse(4), Parse(5)));
            }

            long Parse(int group) => long.Parse(match.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return types;
    }

    [GeneratedRegex(@"^(\S+)\s+(\d+)\s+\(\s*[\d.]+\)\s+(\d+)\s+\(\s*[\d.]+\)\s+(\d+)\s+\(\s*[\d.]+\)\s+(\d+)")]
    private static partial Regex WalLine();
}
