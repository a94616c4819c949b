namespace CrossMargin.Benchmarks.Engine;

/// <summary>
/// The system's clock on another date: it reads <c>start</c> when created and runs on from there as the system's does
/// (timers and timestamps are the system's), so a benchmark's market is the same whatever day it runs.
/// </summary>
internal sealed class MarketDateClock(DateTimeOffset start) : TimeProvider
{
    private readonly TimeSpan _offset = start - System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _offset;
}
