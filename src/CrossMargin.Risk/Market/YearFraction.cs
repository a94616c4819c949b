namespace CrossMargin.Risk.Market;

/// <summary>Day-count arithmetic for pricing.</summary>
public static class YearFraction
{
    private const double TicksPerYear = 365.0 * TimeSpan.TicksPerDay;

    /// <summary>
    /// ACT/365 fixed: the exact elapsed time (to the tick) divided by 365 days. Negative when <paramref name="to"/>
    /// is earlier than <paramref name="from"/>.
    /// </summary>
    public static double Act365(DateTimeOffset from, DateTimeOffset to) => (to.UtcTicks - from.UtcTicks) / TicksPerYear;

    /// <summary>ACT/365 expressed in days (for the (30/days)^power vol-shock scaling).</summary>
    public static double Days(DateTimeOffset from, DateTimeOffset to) => (to.UtcTicks - from.UtcTicks) / (double)TimeSpan.TicksPerDay;
}
