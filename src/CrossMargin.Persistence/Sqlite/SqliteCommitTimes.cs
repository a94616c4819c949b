using System.Diagnostics;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// How long the journal's COMMITs took, counted in 50 µs buckets up to 50 ms (one more for longer), so a percentile
/// costs the group commit one increment and no allocation. A percentile is its bucket's upper bound: at most 50 µs
/// above the true figure below 50 ms.
/// </summary>
internal sealed class SqliteCommitTimes
{
    private const int Buckets = 1000;
    private static readonly long s_bucketTicks = Stopwatch.Frequency / 20_000;

    private readonly long[] _counts = new long[Buckets + 1];

    /// <summary>Counts one COMMIT of <paramref name="ticks"/> (<see cref="Stopwatch"/> ticks).</summary>
    public void Add(long ticks) => Interlocked.Increment(ref _counts[Math.Min(ticks / s_bucketTicks, Buckets)]);

    /// <summary>
    /// The time under which <paramref name="fraction"/> of the COMMITs counted finished; zero when none were, and
    /// <see cref="TimeSpan.MaxValue"/> when that falls past 50 ms.
    /// </summary>
    public TimeSpan Percentile(double fraction)
    {
        var total = 0L;
        for (var b = 0; b <= Buckets; b++)
        {
            total += Interlocked.Read(ref _counts[b]);
        }

        if (total == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = (long)Math.Ceiling(fraction * total);
        var seen = 0L;
        for (var b = 0; b < Buckets; b++)
        {
            seen += Interlocked.Read(ref _counts[b]);
            if (seen >= rank)
            {
                return Stopwatch.GetElapsedTime(0, (b + 1) * s_bucketTicks);
            }
        }

        return TimeSpan.MaxValue;
    }

    /// <summary>Forgets every COMMIT counted.</summary>
    public void Reset()
    {
        for (var b = 0; b <= Buckets; b++)
        {
            Interlocked.Exchange(ref _counts[b], 0);
        }
    }
}
