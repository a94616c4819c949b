using System.Diagnostics;
using System.Globalization;

namespace CrossMargin.Benchmarks.ClusterBench;

/// <summary>
/// CPU time used so far by the three processes of the cluster benchmark: this one (nodes and publisher), the broker
/// (the <c>beam.smp</c> whose command line names the private broker's home directory) and PostgreSQL (the postmaster and its children).
/// Read from <c>/proc</c>; on a system without it, or when a process is not found, that figure stays zero.
/// </summary>
internal sealed class ProcessCpu
{
    // USER_HZ: the unit of utime/stime in /proc/PID/stat, 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;

    private readonly int? _broker;
    private readonly int? _postmaster;

    private ProcessCpu(int? broker, int? postmaster)
    {
        _broker = broker;
        _postmaster = postmaster;
    }

    /// <summary>Finds the broker by its home directory and PostgreSQL by its data directory's <c>postmaster.pid</c>.</summary>
    public static ProcessCpu Find(string brokerRoot, string postgresRoot)
    {
        int? broker = null;
        int? postmaster = null;
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains($"-home\0{brokerRoot}\0", StringComparison.Ordinal)
                    && File.ReadAllText(Path.Combine(dir, "comm")).StartsWith("beam", StringComparison.Ordinal))
                {
                    broker = pid;
                    break;
                }
            }

            var pidFile = Path.Combine(postgresRoot, "data", "postmaster.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), NumberStyles.None, CultureInfo.InvariantCulture, out var pg))
            {
                postmaster = pg;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A process that exits while the directory is read: whatever was found is used.
        }

        return new ProcessCpu(broker, postmaster);
    }

    /// <summary>CPU used so far by this process, the broker and PostgreSQL.</summary>
    public (TimeSpan Self, TimeSpan Broker, TimeSpan Postgres) Read()
    {
        var self = Process.GetCurrentProcess().TotalProcessorTime;
        var broker = _broker is { } b ? Seconds(Ticks(b)) : TimeSpan.Zero;
        var postgres = TimeSpan.Zero;
        if (_postmaster is { } pm)
        {
            // Backends are the postmaster's children and live as long as their pooled connections.
            var ticks = Ticks(pm);
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != pm && Stat(pid) is { } stat && stat.Parent == pm)
                {
                    ticks += stat.Ticks;
                }
            }

            postgres = Seconds(ticks);
        }

        return (self, broker, postgres);
    }

    private static TimeSpan Seconds(long ticks) => TimeSpan.FromSeconds(ticks / TicksPerSecond);

    private static long Ticks(int pid) => Stat(pid)?.Ticks ?? 0;

    private static (int Parent, long Ticks)? Stat(int pid)
    {
        try
        {
            // Fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15).
            var text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
