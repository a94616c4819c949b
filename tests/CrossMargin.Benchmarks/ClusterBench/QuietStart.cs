namespace CrossMargin.Benchmarks.ClusterBench;

/// <summary>
/// When an interleaved phase may start: once this process, the broker and PostgreSQL together use at most
/// <see cref="CpuPerSecond"/> ms of CPU per second over a <see cref="Window"/>, after at least <see cref="AtLeast"/>;
/// after <see cref="AtMost"/> the phase starts anyway, and its line says so.
/// </summary>
/// <remarks>Idle, with three nodes ticking, the three processes used about 70-100 ms/s (sessions 8-9); 15-30 in session 28.</remarks>
internal static class QuietStart
{
    /// <summary>The most CPU, in ms per second of wall time, that the three processes together may use in a quiet window.</summary>
    public const double CpuPerSecond = 200;

    /// <summary>The window the CPU is read over.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(250);

    /// <summary>The least wait before a phase.</summary>
    public static readonly TimeSpan AtLeast = TimeSpan.FromSeconds(1);

    /// <summary>The most wait before a phase.</summary>
    public static readonly TimeSpan AtMost = TimeSpan.FromSeconds(10);

    /// <summary>The three processes' CPU over a window of <paramref name="length"/>, ms per second.</summary>
    public static double Used(TimeSpan length, TimeSpan self, TimeSpan broker, TimeSpan postgres) =>
        (self + broker + postgres).TotalMilliseconds / length.TotalSeconds;

    /// <summary>
    /// Whether a window ending <paramref name="waited"/> into the wait, of <paramref name="length"/>, in which the
    /// processes used <paramref name="self"/>, <paramref name="broker"/> and <paramref name="postgres"/> of CPU, lets the phase start.
    /// </summary>
    /// <remarks>
    /// A PostgreSQL backend that exits takes its CPU out of the postmaster's sum, so that window's delta is negative (the
    /// first run printed -365 ms/s and started the phase): such a window measured nothing and cannot count as quiet.
    /// </remarks>
    public static bool IsQuiet(TimeSpan waited, TimeSpan length, TimeSpan self, TimeSpan broker, TimeSpan postgres) =>
        waited >= AtLeast && self >= TimeSpan.Zero && broker >= TimeSpan.Zero && postgres >= TimeSpan.Zero
        && Used(length, self, broker, postgres) <= CpuPerSecond;
}
