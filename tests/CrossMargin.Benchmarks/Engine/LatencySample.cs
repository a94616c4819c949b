using System.Diagnostics;
using System.Globalization;

namespace CrossMargin.Benchmarks.Engine;

/// <summary>
/// Latencies as Stopwatch tick differences, sorted once for percentiles (nearest rank). A plain array rather than a
/// histogram: the runs keep at most a few hundred thousand samples, so exact percentiles cost a few MB and one sort.
/// </summary>
internal sealed class LatencySample
{
    private readonly long[] _ticks;
    private int _count;
    private bool _sorted;

    public LatencySample(int capacity) => _ticks = new long[capacity];

    public int Count => _count;

    public void Add(long ticks)
    {
        _ticks[_count++] = ticks;
        _sorted = false;
    }

    /// <summary>The <paramref name="fraction"/> percentile in microseconds (nearest rank); 0 when empty.</summary>
    public double Microseconds(double fraction)
    {
        if (_count == 0)
        {
            return 0;
        }

        if (!_sorted)
        {
            Array.Sort(_ticks, 0, _count);
            _sorted = true;
        }

        var rank = (int)Math.Ceiling(fraction * _count) - 1;
        return _ticks[Math.Clamp(rank, 0, _count - 1)] * 1_000_000.0 / Stopwatch.Frequency;
    }

    /// <summary>p50, p99, p99.9 and max, formatted in the best unit.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {Format(Microseconds(0.50))}, p99 {Format(Microseconds(0.99))}, p99.9 {Format(Microseconds(0.999))}, max {Format(Microseconds(1.0))} ({_count:N0} samples)");

    public static string Format(double microseconds) => microseconds >= 1_000
        ? string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1_000:0.00} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{microseconds:0.0} us");
}
