namespace CrossMargin.Persistence.Tests.Infrastructure;

/// <summary>A clock the test sets; timers still run on real time (the code under test only reads the time).</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public static DateTimeOffset Start { get; } = new(2026, 1, 15, 8, 0, 0, TimeSpan.Zero);

    public ManualTimeProvider()
        : this(Start)
    {
    }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
