using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace CrossMargin.Testing.RabbitMq;

/// <summary>
/// A throw-away RabbitMQ node owned by the current test run or benchmark: its own node name, Erlang cookie, data and
/// log directories in a temporary directory (owned by the <c>rabbitmq</c> user when running as root, since the broker
/// will not run as root), the hash exchange plugins enabled (consistent-hash and sharding's modulus-hash), listening on 127.0.0.1 on a free port; stopped
/// and deleted on dispose. Never the Debian package's system node. It can be stopped and started again on the same
/// data (<see cref="RestartAsync"/>) for recovery tests. When the server is not installed, starting fails with a message
/// that says how to install it. <see cref="StartWithTlsAsync"/> adds a TLS listener that verifies client certificates
/// (<c>verify_peer</c>, <c>fail_if_no_peer_cert</c>) and certificate login (<c>rabbitmq_auth_mechanism_ssl</c>, user
/// from the common name), with <see cref="TestCertificates"/> made for the run.
/// </summary>
public sealed class PrivateRabbitMqBroker : IAsyncDisposable
{
    /// <summary>Where Debian's package puts the real scripts (the /usr/sbin wrappers switch user and log to /var/log).</summary>
    public const string DefaultBinDirectory = "/usr/lib/rabbitmq/bin";

    private readonly string _binDirectory;
    private readonly bool _asRabbitMqUser;
    private readonly StringBuilder _output = new();
    private Process? _server;
    private int _disposed;

    // How long a stop may take (`rabbitmqctl stop` and the node's exit) before the node is killed.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private PrivateRabbitMqBroker(string binDirectory, string root, string nodeName, int port, int distributionPort, bool asRabbitMqUser, TestCertificates? certificates)
    {
        _binDirectory = binDirectory;
        Certificates = certificates;
        TlsPort = certificates is null ? 0 : FreePort();
        RootDirectory = root;
        NodeName = nodeName;
        Port = port;
        DistributionPort = distributionPort;
        _asRabbitMqUser = asRabbitMqUser;
    }

    /// <summary>The temporary directory holding data, logs, cookie and configuration.</summary>
    public string RootDirectory { get; }

    /// <summary>The Erlang node name (<c>name@localhost</c>).</summary>
    public string NodeName { get; }

    /// <summary>The AMQP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The AMQP-over-TLS port on 127.0.0.1 (0 without TLS); its certificate is for <c>localhost</c>.</summary>
    public int TlsPort { get; }

    /// <summary>The TLS listener's certificates (null without TLS).</summary>
    public TestCertificates? Certificates { get; }

    /// <summary>The Erlang distribution port (what rabbitmqctl talks to).</summary>
    public int DistributionPort { get; }

    /// <summary>The AMQP URI (user guest, default virtual host).</summary>
    public Uri AmqpUri => new($"amqp://guest:guest@127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>
    /// Adds RabbitMQ user <paramref name="name"/> with full rights on the default virtual host (another publisher than
    /// guest, such as a venue with credentials of its own) and returns the AMQP URI that logs in as it.
    /// </summary>
    /// <exception cref="InvalidOperationException">rabbitmqctl failed (for one, the user exists).</exception>
    public async Task<Uri> AddUserAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        await CtlAsync(["add_user", name, password], cancellationToken).ConfigureAwait(false);
        await CtlAsync(["set_permissions", "-p", "/", name, ".*", ".*", ".*"], cancellationToken).ConfigureAwait(false);
        return new Uri($"amqp://{Uri.EscapeDataString(name)}:{Uri.EscapeDataString(password)}@127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");
    }

    /// <summary>The node's log directory.</summary>
    public string LogDirectory => Path.Combine(RootDirectory, "log");

    /// <summary>True while the node is up (between a start and a stop).</summary>
    public bool IsRunning => _server is { HasExited: false };

    /// <summary>Creates the node's directories and starts it (about 5 s).</summary>
    /// <exception cref="InvalidOperationException">RabbitMQ is not installed, or the node did not start (the message carries its output and log).</exception>
    public static Task<PrivateRabbitMqBroker> StartAsync(CancellationToken cancellationToken = default) => StartAsync(null, cancellationToken);

    /// <summary>
    /// Like <see cref="StartAsync(CancellationToken)"/>, plus a TLS listener on <see cref="TlsPort"/> and RabbitMQ user
    /// <paramref name="clientUser"/>, the common name of <see cref="Certificates"/>' client certificate.
    /// </summary>
    public static Task<PrivateRabbitMqBroker> StartWithTlsAsync(string clientUser, CancellationToken cancellationToken = default) => StartAsync(clientUser, cancellationToken);

    private static async Task<PrivateRabbitMqBroker> StartAsync(string? tlsClientUser, CancellationToken cancellationToken)
    {
        var bin = FindBinaries();
        var asRabbitMqUser = Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root";
        var root = Directory.CreateTempSubdirectory("cm-rmq-").FullName;
        var name = $"cmtest-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}@localhost";
        var certificates = tlsClientUser is null ? null : TestCertificates.Create(Path.Combine(root, "tls"), tlsClientUser);
        var broker = new PrivateRabbitMqBroker(bin, root, name, FreePort(), FreePort(), asRabbitMqUser, certificates);
        try
        {
            await broker.WriteConfigurationAsync(cancellationToken).ConfigureAwait(false);
            await broker.StartNodeAsync(cancellationToken).ConfigureAwait(false);
            if (tlsClientUser is not null)
            {
                // Certificate login needs the user to exist; its password is never used.
                await broker.AddUserAsync(tlsClientUser, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), cancellationToken).ConfigureAwait(false);
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) => broker.StopSync();
            return broker;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var diagnostics = broker.Diagnostics();
            await broker.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"The private RabbitMQ broker did not start: {e.Message}\n{diagnostics}", e);
        }
    }

    /// <summary>Starts the node again on its existing data (after <see cref="StopNodeAsync"/>).</summary>
    public async Task StartNodeAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            return;
        }

        var start = Command(Path.Combine(_binDirectory, "rabbitmq-server"), []);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var server = Process.Start(start) ?? throw new InvalidOperationException("Could not start rabbitmq-server.");
        server.OutputDataReceived += (_, e) => Append(e.Data);
        server.ErrorDataReceived += (_, e) => Append(e.Data);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        _server = server;

        // await_startup fails at once while the node is not registered yet, so it is polled.
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (server.HasExited)
            {
                throw new InvalidOperationException($"rabbitmq-server exited with {server.ExitCode} during start-up.\n{Diagnostics()}");
            }

            var (code, output) = await RunCtlAsync(["await_startup", "--timeout", "30"], cancellationToken).ConfigureAwait(false);
            if (code == 0)
            {
                return;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new InvalidOperationException($"The node {NodeName} did not finish starting within 90 s: {output}\n{Diagnostics()}");
            }

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the node (its data stays: <see cref="StartNodeAsync"/> brings it back with its durable queues).</summary>
    public async Task StopNodeAsync(CancellationToken cancellationToken = default)
    {
        var server = _server;
        if (server is null)
        {
            return;
        }

        if (!server.HasExited)
        {
            // Bounded as a whole: `rabbitmqctl stop` waits for the node's connections to close, and a node that cannot
            // close one (see WriteConfigurationAsync) would otherwise hold the test run for ever. Killed after that.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(StopTimeout);
            try
            {
                await RunCtlAsync(["stop"], wait.Token).ConfigureAwait(false);
                await server.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
            }
        }

        server.Dispose();
        _server = null;
    }

    /// <summary>Stops the node, waits <paramref name="downtime"/>, and starts it again on the same data.</summary>
    public async Task RestartAsync(TimeSpan downtime = default, CancellationToken cancellationToken = default)
    {
        await StopNodeAsync(cancellationToken).ConfigureAwait(false);
        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime, cancellationToken).ConfigureAwait(false);
        }

        await StartNodeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <c>rabbitmqctl</c> against this node (e.g. <c>list_queues name messages</c>) and returns its output.</summary>
    /// <exception cref="InvalidOperationException">rabbitmqctl failed.</exception>
    public async Task<string> CtlAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken = default)
    {
        var (code, output) = await RunCtlAsync(arguments, cancellationToken).ConfigureAwait(false);
        return code == 0 ? output : throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} exited with {code}: {output}");
    }

    /// <summary>Stops the node and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await StopNodeAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

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

    private static string FindBinaries()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("CM_RABBITMQ_BIN");
        var bin = string.IsNullOrEmpty(fromEnvironment) ? DefaultBinDirectory : fromEnvironment;
        return File.Exists(Path.Combine(bin, "rabbitmq-server")) && File.Exists(Path.Combine(bin, "rabbitmqctl"))
            ? bin
            : throw new InvalidOperationException(
                $"RabbitMQ server binaries not found (no {bin}/rabbitmq-server{(string.IsNullOrEmpty(fromEnvironment) ? ", CM_RABBITMQ_BIN unset" : "")}). " +
                "The RabbitMQ tests start their own private broker and need the Debian package: run ./test.sh (it installs it) or apt-get install -y rabbitmq-server.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WriteConfigurationAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(RootDirectory, "mnesia"));
        Directory.CreateDirectory(LogDirectory);
        var tls = Certificates;
        await File.WriteAllTextAsync(Path.Combine(RootDirectory, "enabled_plugins"),
            tls is null ? "[rabbitmq_consistent_hash_exchange,rabbitmq_sharding].\n" : "[rabbitmq_consistent_hash_exchange,rabbitmq_sharding,rabbitmq_auth_mechanism_ssl].\n",
            cancellationToken).ConfigureAwait(false);
        string[] tlsListener = tls is null ? [] : [
            $"listeners.ssl.default = 127.0.0.1:{TlsPort.ToString(CultureInfo.InvariantCulture)}",
            $"ssl_options.cacertfile = {tls.CaFile}",
            $"ssl_options.certfile = {tls.ServerCertificateFile}",
            $"ssl_options.keyfile = {tls.ServerKeyFile}",
            "ssl_options.verify = verify_peer",
            "ssl_options.fail_if_no_peer_cert = true",
            "auth_mechanisms.1 = PLAIN",
            "auth_mechanisms.2 = AMQPLAIN",
            "auth_mechanisms.3 = EXTERNAL",
            "ssl_cert_login_from = common_name",
        ];
        await File.WriteAllTextAsync(Path.Combine(RootDirectory, "rabbitmq.conf"), string.Join('\n', [
            $"listeners.tcp.default = 127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}",
            "disk_free_limit.absolute = 50MB",
            "log.console = true",
            "log.console.level = warning",
            .. tlsListener,
            "",
        ]), cancellationToken).ConfigureAwait(false);

        // Our own env file, so the system's /etc/rabbitmq/rabbitmq-env.conf (node name, ports) does not apply. It raises
        // the open-file limit to the hard one: runuser's PAM session gives the node a soft limit of 1024, RabbitMQ's file
        // handle cache then allows 927, and a suite's few hundred quorum queues use that up; a classic queue deleted
        // after that waits for a handle for ever, and so do its connection's close and `rabbitmqctl stop`.
        await File.WriteAllTextAsync(Path.Combine(RootDirectory, "rabbitmq-env.conf"), "ulimit -S -n \"$(ulimit -H -n)\" 2>/dev/null || true\n", cancellationToken).ConfigureAwait(false);
        var cookie = Path.Combine(RootDirectory, ".erlang.cookie");
        await File.WriteAllTextAsync(cookie, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            // Erlang refuses a cookie others can read.
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        }
        if (_asRabbitMqUser)
        {
            await RunAsync(Plain("chown", ["-R", "rabbitmq:rabbitmq", RootDirectory]), cancellationToken).ConfigureAwait(false);
        }
    }

    private ProcessStartInfo Command(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(_asRabbitMqUser ? "runuser" : "env")
        {
            UseShellExecute = false,
            WorkingDirectory = RootDirectory,
        };
        var prefix = _asRabbitMqUser ? new[] { "-u", "rabbitmq", "--", "env" } : [];
        string[] environment =
        [
            // HOME is where the Erlang cookie is read: the node and rabbitmqctl share this private one.
            $"HOME={RootDirectory}",
            $"RABBITMQ_NODENAME={NodeName}",
            $"RABBITMQ_NODE_PORT={Port.ToString(CultureInfo.InvariantCulture)}",
            $"RABBITMQ_DIST_PORT={DistributionPort.ToString(CultureInfo.InvariantCulture)}",
            $"RABBITMQ_MNESIA_BASE={Path.Combine(RootDirectory, "mnesia")}",
            $"RABBITMQ_LOG_BASE={LogDirectory}",
            $"RABBITMQ_ENABLED_PLUGINS_FILE={Path.Combine(RootDirectory, "enabled_plugins")}",
            $"RABBITMQ_PID_FILE={Path.Combine(RootDirectory, "pid")}",
            $"RABBITMQ_CONFIG_FILE={Path.Combine(RootDirectory, "rabbitmq")}",
            $"RABBITMQ_CONF_ENV_FILE={Path.Combine(RootDirectory, "rabbitmq-env.conf")}",
        ];
        foreach (var argument in prefix.Concat(environment).Append(file).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static ProcessStartInfo Plain(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private async Task<(int Code, string Output)> RunCtlAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        await RunAsync(Command(Path.Combine(_binDirectory, "rabbitmqctl"), ["-n", NodeName, .. arguments]), cancellationToken, throwOnFailure: false).ConfigureAwait(false);

    private static async Task<(int Code, string Output)> RunAsync(ProcessStartInfo start, CancellationToken cancellationToken, bool throwOnFailure = true)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not left behind talking to a node that is about to be killed.
            process.Kill(entireProcessTree: true);
            throw;
        }

        var text = ((await output.ConfigureAwait(false)) + (await error.ConfigureAwait(false))).Trim();
        if (throwOnFailure && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {text}");
        }

        return (process.ExitCode, text);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 64_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Diagnostics()
    {
        string output;
        lock (_output)
        {
            output = _output.ToString();
        }

        var log = Path.Combine(LogDirectory, NodeName + ".log");
        var logText = File.Exists(log) ? File.ReadAllText(log) : "(no log)";
        if (logText.Length > 16_000)
        {
            logText = logText[^16_000..];
        }

        return $"Server output:\n{output}\nServer log ({log}):\n{logText}";
    }

    private void StopSync()
    {
        try
        {
            DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(40));
        }
        catch (AggregateException)
        {
            // Best effort at process exit.
        }
    }
}
