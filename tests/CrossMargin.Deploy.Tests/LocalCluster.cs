using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Npgsql;

namespace CrossMargin.Deploy.Tests;

/// <summary>
/// A cluster started by <c>deploy/cluster.sh start 3</c> exactly as an operator would, with its own run directory
/// (<c>CM_RUN_DIR</c>) and HTTP ports (<c>CM_BASE_PORT</c>) so it never meets a developer's cluster, and stopped with
/// <c>deploy/cluster.sh stop</c>. When the servers' binaries or the SDK are missing the script fails, and so does every
/// test here, with the script's message.
/// </summary>
public sealed class LocalCluster : IAsyncLifetime
{
    /// <summary>Nodes the tests start.</summary>
    public const int NodeCount = 3;

    /// <summary>Shards (the script's default).</summary>
    public const int ShardCount = 16;

    /// <summary>Lease time-out (config/cluster.json; the script does not change it).</summary>
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(6);

    private readonly Dictionary<string, string> _settings = new(StringComparer.Ordinal);
    private readonly string _runDirectory = Path.Combine(Path.GetTempPath(), "cm-deploy-tests-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
    private int _basePort;

    /// <summary>The repository checkout (the directory holding CrossMargin.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>
    /// The node the script runs: the build of CrossMargin.Node in this test assembly's configuration (the project
    /// reference builds it first), so the tests never run stale binaries.
    /// </summary>
    public static string NodeAssembly { get; } = Path.Combine(RepositoryRoot, "src", "CrossMargin.Node", "bin",
        typeof(LocalCluster).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release", "net10.0", "crossmargin-node.dll");

    /// <summary>The cluster's PostgreSQL database, as printed by <c>cluster.sh env</c>.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>One client per node, index 0 for node-1.</summary>
    public IReadOnlyList<HttpClient> Clients { get; private set; } = [];

    /// <summary>Output of the script's start, for diagnostics.</summary>
    public string StartOutput { get; private set; } = "";

    /// <summary>Starts the cluster through the script.</summary>
    public async Task InitializeAsync()
    {
        if (!File.Exists(NodeAssembly))
        {
            throw new InvalidOperationException($"{NodeAssembly} is missing: build the solution (the test project references CrossMargin.Node).");
        }

        _basePort = FreePortRange(NodeCount);
        if (Directory.Exists(_runDirectory))
        {
            Directory.Delete(_runDirectory, recursive: true);
        }

        var (code, output) = await RunScriptAsync(TimeSpan.FromMinutes(5), "start", NodeCount.ToString(CultureInfo.InvariantCulture));
        StartOutput = output;
        if (code != 0)
        {
            await RunScriptAsync(TimeSpan.FromMinutes(1), "stop");
            throw new InvalidOperationException($"deploy/cluster.sh start {NodeCount} failed with exit code {code}:\n{output}");
        }

        var (envCode, env) = await RunScriptAsync(TimeSpan.FromSeconds(30), "env");
        Assert.True(envCode == 0, $"cluster.sh env failed: {env}");
        foreach (var line in env.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && line.StartsWith("CM_", StringComparison.Ordinal))
            {
                _settings[line[..equals]] = line[(equals + 1)..].Trim('\'');
            }
        }

        ConnectionString = _settings.TryGetValue("CM_PG_CONNECTION", out var connection)
            ? connection
            : throw new InvalidOperationException($"cluster.sh env printed no CM_PG_CONNECTION:\n{env}");
        Clients = [.. Enumerable.Range(1, NodeCount).Select(i => new HttpClient
        {
            BaseAddress = new Uri(_settings[$"CM_NODE_{i.ToString(CultureInfo.InvariantCulture)}_URL"]),
            Timeout = TimeSpan.FromSeconds(30),
        })];
    }

    /// <summary>Stops the cluster through the script (which removes its run directory).</summary>
    public async Task DisposeAsync()
    {
        foreach (var client in Clients)
        {
            client.Dispose();
        }

        NpgsqlConnection.ClearAllPools();
        var (code, output) = await RunScriptAsync(TimeSpan.FromMinutes(2), "stop");
        Assert.True(code == 0, $"cluster.sh stop failed: {output}");
    }

    /// <summary>The node id of node <paramref name="index"/> (1-based), as the script names it.</summary>
    public static string NodeId(int index) => "node-" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The process id of node <paramref name="index"/> (from its pid file; changes on restart).</summary>
    public int Pid(int index) =>
        int.Parse(File.ReadAllText(Path.Combine(_runDirectory, NodeId(index), "pid")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>The node's console output so far (for failure messages).</summary>
    public string LogTail(int index, int characters = 4000)
    {
        var text = File.ReadAllText(Path.Combine(_runDirectory, NodeId(index), "out.log"));
        return text.Length > characters ? text[^characters..] : text;
    }

    /// <summary>Runs <c>deploy/cluster.sh</c> with this cluster's run directory and ports.</summary>
    public async Task<(int Code, string Output)> RunScriptAsync(TimeSpan timeout, params string[] arguments)
    {
        var script = Path.Combine(RepositoryRoot, "deploy", "cluster.sh");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"{script} is missing.");
        }

        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CM_RUN_DIR"] = _runDirectory;
        start.Environment["CM_NODE_DLL"] = NodeAssembly;
        start.Environment["CM_NO_BUILD"] = "1";
        start.Environment["CM_BASE_PORT"] = _basePort.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cluster.sh {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }

    /// <summary>Sends <paramref name="signal"/> (KILL, STOP, CONT) to a process with kill(1).</summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        using var process = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not run kill");
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"kill -{signal} {pid} failed");
    }

    /// <summary>Every live shard lease: shard name to (owner, epoch, acquired at), judged by the database clock.</summary>
    public async Task<Dictionary<string, ShardLease>> LiveShardLeasesAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT name, owner, epoch, acquired_at FROM lease WHERE name LIKE 'shard/%' AND owner IS NOT NULL AND expires_at > clock_timestamp()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var leases = new Dictionary<string, ShardLease>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            leases[reader.GetString(0)] = new ShardLease(reader.GetString(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3));
        }

        return leases;
    }

    /// <summary>A scalar from the cluster's database.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Brings the cluster back to three ready nodes (restarting a killed one through the script, continuing a frozen one)
    /// and waits until every shard is leased by a live node and each node holds some: tests share one cluster and
    /// must not depend on which ran before.
    /// </summary>
    public async Task EnsureAllServingAsync()
    {
        for (var i = 1; i <= NodeCount; i++)
        {
            var pid = Pid(i);
            if (IsStopped(pid))
            {
                await SignalAsync(pid, "CONT");
            }

            if (!IsAlive(pid))
            {
                var (code, output) = await RunScriptAsync(TimeSpan.FromMinutes(2), "restart", NodeId(i));
                Assert.True(code == 0, $"cluster.sh restart {NodeId(i)} failed: {output}");
            }
        }

        var clock = Stopwatch.StartNew();
        while (true)
        {
            var leases = await LiveShardLeasesAsync();
            var owners = leases.Values.GroupBy(l => l.Owner).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            if (leases.Count == ShardCount && Enumerable.Range(1, NodeCount).All(i => owners.GetValueOrDefault(NodeId(i)) > 0))
            {
                return;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90),
                $"the cluster did not settle within 90 s: {leases.Count} live shard leases, owners {string.Join(", ", owners.Select(o => $"{o.Key}={o.Value}"))}");
            await Task.Delay(250);
        }
    }

    private static bool IsAlive(int pid) => File.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat") && !ProcessState(pid).Equals("Z", StringComparison.Ordinal);

    private static bool IsStopped(int pid) => IsAlive(pid) && ProcessState(pid).Equals("T", StringComparison.Ordinal);

    // /proc/PID/stat: "pid (comm) state ..."; comm may hold spaces, so the state is read after the last ')'.
    private static string ProcessState(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
        }
        catch (IOException)
        {
            return "gone";
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CrossMargin.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No CrossMargin.sln above {AppContext.BaseDirectory}.");
    }

    // A base port with `count` free ports after it, so the tests' nodes never collide with a developer's cluster on 5081.
    // Below the kernel's ephemeral range: a port from inside it (what binding port 0 returns) can be handed to any
    // outbound connection, or to a listener on port 0, between this check and a node's bind. In CI a suite beside this
    // one took node-2's port that way and the start failed ("address already in use").
    private static int FreePortRange(int count)
    {
        var below = EphemeralLow() - count;
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(LowestPort, below);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"no {count} consecutive free ports on 127.0.0.1 between {LowestPort} and {below}");
    }

    private const int LowestPort = 20_000;

    // The first port of the kernel's ephemeral range (Linux's default 32768 when it cannot be read).
    private static int EphemeralLow()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range)
               && File.ReadAllText(range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is [var low, ..]
               && int.TryParse(low, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port)
               && port > LowestPort + 100
            ? port
            : 32_768;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
