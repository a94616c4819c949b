using System.Diagnostics;
using System.Globalization;
using System.Text;
using CrossMargin.Contracts;
using CrossMargin.Node.Clustering;

namespace CrossMargin.Benchmarks.ClusterBench;

/// <summary>
/// What reading one execution through the contract costs, on one thread: the reader a shard consumer calls for every
/// delivery (<see cref="AccountMessageTypes.TryRead"/>, the same <c>ContractReader</c> the HTTP API uses), on the
/// cluster benchmark's own execution bodies. Beside it the same bodies with the three amounts and the time left out,
/// so the difference is what the decimal and time readers cost.
/// </summary>
internal static class ContractReadBenchmark
{
    private const int DistinctBodies = 1_024;

    public static Task<int> RunAsync(ContractReadOptions options)
    {
        foreach (var fact in MachineFacts.Describe())
        {
            Console.WriteLine(fact);
        }

        var full = Enumerable.Range(0, DistinctBodies)
            .Select(i => ClusterBenchmark.Execution($"acc-{i % 300:D5}", i + 2, "BTC-PERP", i % 2 == 0 ? "buy" : "sell", 100m, 60000m)).ToArray();
        var bare = full.Select(WithoutAmountsAndTime).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Execution body: {full[0].Length} B: {Encoding.UTF8.GetString(full[0])}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Without amounts and time: {bare[0].Length} B. {options.Messages:N0} reads per run, {options.Runs} runs after one unmeasured."));

        var fullRuns = new List<(double Ns, double Bytes)>();
        var bareRuns = new List<(double Ns, double Bytes)>();
        Measure(full, options.Messages);
        Measure(bare, options.Messages);
        for (var run = 0; run < options.Runs; run++)
        {
            // Alternated, so a neighbour's load falls on both alike.
            fullRuns.Add(Measure(full, options.Messages));
            bareRuns.Add(Measure(bare, options.Messages));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {run + 1}: execution {fullRuns[^1].Ns:F0} ns, {fullRuns[^1].Bytes:F0} B; without amounts and time {bareRuns[^1].Ns:F0} ns, {bareRuns[^1].Bytes:F0} B"));
        }

        var ns = Median(fullRuns.Select(r => r.Ns));
        var bytes = Median(fullRuns.Select(r => r.Bytes));
        var bareNs = Median(bareRuns.Select(r => r.Ns));
        var bareBytes = Median(bareRuns.Select(r => r.Bytes));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median per execution read: {ns:F0} ns, {bytes:F0} B allocated; without amounts and time {bareNs:F0} ns, {bareBytes:F0} B; the three amounts and the time: {ns - bareNs:F0} ns, {bytes - bareBytes:F0} B"));

        // The decimal reader's two paths on the execution's own amounts, in this process, alternated: the short path on
        // the bytes, and the checking path as every amount took it before (the token's text made, then checked).
        foreach (var amount in new[] { "100", "60000", "0.0001" })
        {
            var utf8 = Encoding.UTF8.GetBytes(amount);
            var shortRuns = new List<double>();
            var checkedRuns = new List<double>();
            for (var run = 0; run <= options.Runs; run++)
            {
                var fast = Time(options.Messages, () => ExactDecimalConverter.TryReadShort(utf8, out var value) ? value : -1m);
                var slow = Time(options.Messages, () => ExactDecimalConverter.ReadChecked(Encoding.UTF8.GetString(utf8)));
                if (run > 0)
                {
                    shortRuns.Add(fast);
                    checkedRuns.Add(slow);
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"amount {amount}: short path {Median(shortRuns):F0} ns, checking path {Median(checkedRuns):F0} ns (medians of {options.Runs} alternated runs of {options.Messages:N0})"));
        }

        return Task.FromResult(0);
    }

    private static double Time(int reads, Func<decimal> read)
    {
        var sum = 0m;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < reads; i++)
        {
            sum += read();
        }

        var elapsed = clock.Elapsed.TotalNanoseconds / reads;
        return sum < 0 ? throw new InvalidOperationException("An amount was not read on the short path.") : elapsed;
    }

    private static (double Ns, double Bytes) Measure(byte[][] bodies, int messages)
    {
        var failed = 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < messages; i++)
        {
            if (!AccountMessageTypes.TryRead("execution", bodies[i % bodies.Length], out var message, out _) || message is null)
            {
                failed++;
            }
        }

        var elapsed = clock.Elapsed;
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        return failed > 0
            ? throw new InvalidOperationException($"{failed} of {messages} bodies were not read: the benchmark would time the refusal.")
            : (elapsed.TotalNanoseconds / messages, (double)allocated / messages);
    }

    private static byte[] WithoutAmountsAndTime(byte[] body)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
        foreach (var field in new[] { "quantity", "price", "fee", "timestamp" })
        {
            node.Remove(field);
        }

        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
