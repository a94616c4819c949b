using System.Diagnostics;

namespace CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;

/// <summary>Every wait in these tests is bounded: a hang fails the test instead of the run.</summary>
public static class Bounded
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static Task Within(this Task task) => task.WaitAsync(Timeout);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Timeout);

    /// <summary>Polls <paramref name="condition"/> until it holds, or fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > (timeout ?? Timeout))
            {
                Assert.Fail($"Timed out after {clock.Elapsed.TotalSeconds:F0} s waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }
}
