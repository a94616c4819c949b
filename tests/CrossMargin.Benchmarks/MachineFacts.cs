using System.Numerics;
using System.Runtime;
using System.Runtime.InteropServices;

namespace CrossMargin.Benchmarks;

/// <summary>What the figures were measured on.</summary>
internal static class MachineFacts
{
    public static IEnumerable<string> Describe()
    {
        var concurrent = AppContext.GetData("System.GC.Concurrent") is not false;
        yield return FormattableString.Invariant(
            $"machine: {Environment.ProcessorCount} processors, {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}, {RuntimeInformation.FrameworkDescription}");
        yield return FormattableString.Invariant(
            $"vector: hardware accelerated {Vector.IsHardwareAccelerated}, Vector<double>.Count {Vector<double>.Count} ({Vector<byte>.Count * 8}-bit)");
        yield return FormattableString.Invariant(
            $"gc: {(GCSettings.IsServerGC ? "server" : "workstation")}, concurrent {concurrent}, latency {GCSettings.LatencyMode}, tiered PGO {AppContext.GetData("System.Runtime.TieredPGO") ?? "default"}");
        if (File.Exists("/proc/loadavg"))
        {
            // Other work on the same cores stretches wall times; the process CPU per run shows what was ours.
            yield return $"load average (1, 5, 15 min) at start: {string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))}";
        }
    }
}
