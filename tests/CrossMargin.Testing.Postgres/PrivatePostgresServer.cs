using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CrossMargin.Testing.Postgres;

/// <summary>
/// A throw-away PostgreSQL server owned by the current test run or benchmark: a fresh cluster (initdb) in a
/// temporary directory, listening on 127.0.0.1 on a free port, stopped and deleted on dispose. Never a server
/// started by hand or the Debian package's system cluster. Binaries come from <c>CM_PG_BIN</c> or the newest
/// <c>/usr/lib/postgresql/*/bin</c>; when none are there, starting fails with a message that says how to install them.
/// </summary>
public sealed class PrivatePostgresServer : IAsyncDisposable
{
    private const string User = "cm";
    private readonly string _binDirectory;
    private readonly bool _asPostgresUser;
    private int _stopped;

    private readonly IReadOnlyList<string> _settings;

    private PrivatePostgresServer(string binDirectory, string root, int port, bool asPostgresUser, IReadOnlyList<string> settings)
    {
        _binDirectory = binDirectory;
        RootDirectory = root;
        Port = port;
        _asPostgresUser = asPostgresUser;
        _settings = settings;
    }

    /// <summary>The temporary directory holding data, socket and log.</summary>
    public string RootDirectory { get; }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The server's log file.</summary>
    public string LogFile => Path.Combine(RootDirectory, "log");

    /// <summary>Finds the binaries, creates a cluster and starts it (about 2 s).</summary>
    /// <exception cref="InvalidOperationException">No PostgreSQL server binaries, or the server did not start (the message carries its log).</exception>
    public static Task<PrivatePostgresServer> StartAsync(CancellationToken cancellationToken = default) => StartAsync([], cancellationToken);

    /// <summary>
    /// As <see cref="StartAsync(CancellationToken)"/>, with server settings (<c>name=value</c>) added to the fixture's own,
    /// e.g. a benchmark's <c>shared_preload_libraries=pg_stat_statements</c>.
    /// </summary>
    public static async Task<PrivatePostgresServer> StartAsync(IReadOnlyList<string> settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var bin = FindBinaries();
        var asPostgresUser = Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root";
        var root = Directory.CreateTempSubdirectory("cm-pg-").FullName;
        var server = new PrivatePostgresServer(bin, root, FreePort(), asPostgresUser, settings);
        try
        {
            if (asPostgresUser)
            {
                // initdb refuses to run as root: the cluster belongs to the postgres user.
                await RunAsync("chown", ["-R", "postgres:postgres", root], asPostgresUser: false, cancellationToken).ConfigureAwait(false);
            }

            await server.RunToolAsync("initdb", ["-D", server.DataDirectory, "-A", "trust", "-U", User, "-E", "UTF8", "--no-locale", "--no-sync"], cancellationToken).ConfigureAwait(false);
            await server.StartServerAsync(cancellationToken).ConfigureAwait(false);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.StopSync();
            return server;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var log = File.Exists(server.LogFile) ? await File.ReadAllTextAsync(server.LogFile, cancellationToken).ConfigureAwait(false) : "(no log)";
            await server.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"The private PostgreSQL server did not start: {e.Message}\nServer log:\n{log}", e);
        }
    }

    private string DataDirectory => Path.Combine(RootDirectory, "data");

    /// <summary>
    /// Stops the server the way an operator's restart does (fast shutdown: open connections are cut), waits
    /// <paramref name="downtime"/>, and starts it again on the same data and port.
    /// </summary>
    public async Task RestartAsync(TimeSpan downtime = default, CancellationToken cancellationToken = default)
    {
        await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop"], cancellationToken).ConfigureAwait(false);
        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime, cancellationToken).ConfigureAwait(false);
        }

        await StartServerAsync(cancellationToken).ConfigureAwait(false);

        // Only this fixture's own pool: the connections it holds were cut, and the next database it creates must not
        // pick one up. Clients under test keep theirs, finding out about the restart the way they would in production.
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString()));
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var settings = string.Join(' ', [
            $"-p {Port.ToString(CultureInfo.InvariantCulture)}",
            $"-k {RootDirectory}",
            "-c listen_addresses=127.0.0.1",
            "-c max_connections=200",
            "-c shared_buffers=128MB",
            // As deploy/ runs the cluster's server (README, "Operate a cluster"): full-page images compressed, about a
            // third of their bytes after a checkpoint (tests/CrossMargin.Benchmarks/README.md, session 29 pgcost).
            "-c wal_compression=lz4",
            .. _settings.Select(setting => $"-c {setting}"),
        ]);
        await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-o", settings, "-l", LogFile, "-w", "-t", "60", "start"], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A connection string for <paramref name="database"/> as the cluster's superuser.</summary>
    public string ConnectionString(string database = "postgres", int maxPoolSize = 50) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = User,
            Database = database,
            MaxPoolSize = maxPoolSize,
            Timeout = 15,
            CommandTimeout = 30,
        }.ConnectionString;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"Database name '{name}' must be lower-case letters, digits and underscores.", nameof(name));
        }

        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return ConnectionString(name);
    }

    /// <summary>
    /// The WAL written between two LSNs by record type, as <c>pg_waldump --stats=record</c> prints it (a header, then one
    /// line per type: count, record bytes, full-page-image bytes, combined). For measuring, not for tests' assertions.
    /// </summary>
    public Task<string> WalStatisticsAsync(string fromLsn, string toLsn, CancellationToken cancellationToken = default) =>
        RunToolAsync("pg_waldump", ["--stats=record", "-p", Path.Combine(DataDirectory, "pg_wal"), "-s", fromLsn, "-e", toLsn], cancellationToken);

    /// <summary>Stops the server (fast shutdown) and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop"], CancellationToken.None).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Already gone: nothing to stop.
            }
        }

        DeleteDirectory();
    }

    private static string FindBinaries()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("CM_PG_BIN");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return File.Exists(Path.Combine(fromEnvironment, "initdb"))
                ? fromEnvironment
                : throw new InvalidOperationException($"CM_PG_BIN is '{fromEnvironment}' but it has no initdb.");
        }

        var found = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb, CM_PG_BIN unset). " +
            "The PostgreSQL tests start their own private server and need the Debian package: run ./test.sh (it installs it) or apt-get install -y postgresql.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgresUser, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(asPostgresUser ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (asPostgresUser)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(file)} exited with {process.ExitCode}: {(await error.ConfigureAwait(false)).Trim()} {(await output.ConfigureAwait(false)).Trim()}");
        }

        return await output.ConfigureAwait(false);
    }

    private Task<string> RunToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunAsync(Path.Combine(_binDirectory, tool), arguments, _asPostgresUser, cancellationToken);

    private void StopSync()
    {
        try
        {
            DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // Best effort at process exit.
        }
    }

    private void DeleteDirectory()
    {
        try
        {
            Directory.Delete(RootDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
