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
            $"gc: {(GCSettings.IsServerGC ? "server" : "workstation")}, concurrent {concurrent}, latency {GCSettings.LatencyMode}, tiered PGO {AppContext.GetData("System.Runtime.TieredPGO") ?? "default"}, DATAS (System.GC.DynamicAdaptationMode) {AppContext.GetData("System.GC.DynamicAdaptationMode") ?? "default"}");
        // What the GC itself says is in effect (runtime configuration and environment together).
        var effective = GC.GetConfigurationVariables()
            .Where(v => v.Key.Contains("Adaptation", StringComparison.OrdinalIgnoreCase) || v.Key.Contains("Gen0", StringComparison.OrdinalIgnoreCase)
                || v.Key.Contains("Conserve", StringComparison.OrdinalIgnoreCase) || v.Key.Contains("HeapCount", StringComparison.OrdinalIgnoreCase))
            .OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}").ToArray();
        yield return $"gc in effect: {string.Join(' ', effective)}";
        // Environment overrides win over the runtime configuration: print them, or a run's settings are not what it says.
        var overrides = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("DOTNET_GC", StringComparison.OrdinalIgnoreCase) || k.StartsWith("COMPlus_GC", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}").ToArray();
        yield return $"gc environment overrides: {(overrides.Length == 0 ? "none" : string.Join(' ', overrides))}";
        if (File.Exists("/proc/loadavg"))
        {
            // Other work on the same cores stretches wall times; the process CPU per run shows what was ours.
            yield return $"load average (1, 5, 15 min) at start: {string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))}";
        }
    }
}
