using CrossMargin.Benchmarks.ClusterBench;

namespace CrossMargin.Benchmarks.Tests.ClusterBench;

public sealed class QuietStartTests
{
    private static readonly TimeSpan Quarter = TimeSpan.FromMilliseconds(250);

    [Fact]
    public void Three_processes_near_idle_after_the_least_wait_let_the_phase_start()
    {
        // 20 + 10 + 10 = 40 ms over 0.25 s: 160 ms/s, under 200.
        Assert.Equal(160, QuietStart.Used(Quarter, Ms(20), Ms(10), Ms(10)), 9);
        Assert.True(QuietStart.IsQuiet(TimeSpan.FromSeconds(1.1), Quarter, Ms(20), Ms(10), Ms(10)));
    }

    [Fact]
    public void A_window_over_the_limit_holds_the_phase()
    {
        // 30 + 10 + 20 = 60 ms over 0.25 s: 240 ms/s, over 200 (the broker still writing segments after a phase).
        Assert.False(QuietStart.IsQuiet(TimeSpan.FromSeconds(1.1), Quarter, Ms(30), Ms(10), Ms(20)));
    }

    [Fact]
    public void An_idle_window_before_the_least_wait_holds_the_phase()
    {
        Assert.False(QuietStart.IsQuiet(TimeSpan.FromSeconds(0.5), Quarter, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero));
    }

    [Fact]
    public void A_window_in_which_a_postgres_backend_exited_is_not_quiet_however_low_its_sum()
    {
        // The first run printed "-365 ms/s of CPU" and started the phase: an exited backend's CPU left the PostgreSQL sum,
        // so its delta was negative and the three together summed under the limit while the broker was busy (250 ms/s here).
        Assert.False(QuietStart.IsQuiet(TimeSpan.FromSeconds(1.1), Quarter, Ms(5), Ms(62.5), Ms(-90)));
    }

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}
