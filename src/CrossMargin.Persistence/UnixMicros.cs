namespace CrossMargin.Persistence;

/// <summary>Timestamps as microseconds since the Unix epoch (PostgreSQL's precision), for SQLite's integer column.</summary>
internal static class UnixMicros
{
    public static long From(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset ToDateTimeOffset(long micros) => DateTimeOffset.UnixEpoch.AddTicks(checked(micros * 10));
}
