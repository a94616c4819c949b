using System.Collections.Concurrent;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Node.Clustering;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// A shard's deliveries through a failing handler: what fails, and everything after it, is retried in queue order, and
/// nothing after a failure runs before it.
/// </summary>
public sealed class InOrderShardHandlerTests
{
    private static readonly InOrderRetryOptions Quick = new() { FirstBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(80), MaxAttempts = 50 };

    private static ShardDelivery Delivery(int n) => new()
    {
        Body = ReadOnlyMemory<byte>.Empty,
        MessageId = "m" + n,
        Type = "deposit",
        AccountId = "acc",
        Shard = 0,
        Redelivered = false,
        Attempt = 1,
    };

    [Fact]
    public async Task After_a_failure_every_later_delivery_waits_and_all_are_applied_in_queue_order()
    {
        var applied = new ConcurrentQueue<string>();
        var outage = 1;
        var handler = new InOrderShardHandler(0, async (d, _, _) =>
        {
            await Task.Yield();
            if (Volatile.Read(ref outage) == 1 && d.MessageId is "m3" or "m4" or "m7")
            {
                throw new InvalidOperationException("journal down");
            }

            applied.Enqueue(d.MessageId!);
        }, NullLogger.Instance, Quick);

        var tasks = Enumerable.Range(0, 10).Select(n => handler.HandleAsync(Delivery(n), CancellationToken.None)).ToList();
        await TestCluster.EventuallyAsync(() => Task.FromResult(handler.Held >= 3), TimeSpan.FromSeconds(5), "the failures held");
        tasks.AddRange(Enumerable.Range(10, 5).Select(n => handler.HandleAsync(Delivery(n), CancellationToken.None)));
        Volatile.Write(ref outage, 0);
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10));

        // Whatever was handed over before the first failure came back ran side by side; from the failed m3 on, the
        // held deliveries (the failures, and everything handed over after the first one) were applied in queue order.
        var order = applied.ToList();
        Assert.Equal(Enumerable.Range(0, 15).Select(n => "m" + n).Order(), order.Order());
        var fromFirstFailure = order.Skip(order.IndexOf("m3")).ToList();
        Assert.Equal(fromFirstFailure.OrderBy(m => int.Parse(m.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)), fromFirstFailure);
        Assert.Superset(new HashSet<string> { "m3", "m4", "m7", "m10", "m11", "m12", "m13", "m14" }, fromFirstFailure.ToHashSet());
        Assert.Equal(0, handler.Held);
        Assert.Equal(fromFirstFailure.Count, handler.Recovered);
    }

    [Fact]
    public async Task Deliveries_run_side_by_side_again_once_the_held_ones_are_through()
    {
        var running = 0;
        var peak = 0;
        var fail = 1;
        var handler = new InOrderShardHandler(0, async (d, _, _) =>
        {
            if (Interlocked.Exchange(ref fail, 0) == 1)
            {
                throw new InvalidOperationException("one failure");
            }

            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(50, CancellationToken.None);
            Interlocked.Decrement(ref running);
        }, NullLogger.Instance, Quick);

        await handler.HandleAsync(Delivery(0), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, handler.Recovered);
        await Task.WhenAll(Enumerable.Range(1, 4).Select(n => handler.HandleAsync(Delivery(n), CancellationToken.None))).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(peak >= 2, $"peak concurrency {peak}");
    }

    [Fact]
    public async Task A_stopping_consumer_gets_its_held_deliveries_back_unfinished()
    {
        using var stop = new CancellationTokenSource();
        var handler = new InOrderShardHandler(0, (_, _, _) => Task.FromException(new InvalidOperationException("journal down")), NullLogger.Instance, Quick);
        var held = handler.HandleAsync(Delivery(0), stop.Token);
        var later = handler.HandleAsync(Delivery(1), stop.Token);
        await TestCluster.EventuallyAsync(() => Task.FromResult(handler.Held == 2), TimeSpan.FromSeconds(5), "both held");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held.WaitAsync(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => later.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, handler.Held);
    }

    [Fact]
    public async Task Given_up_when_its_shard_stops_a_handler_cancels_its_held_deliveries_at_once_and_retries_none()
    {
        var calls = 0;
        var handler = new InOrderShardHandler(0, (_, _, _) =>
        {
            Interlocked.Increment(ref calls);
            return Task.FromException(new InvalidOperationException("journal down"));
        }, NullLogger.Instance, Quick with { FirstBackoff = TimeSpan.FromSeconds(30) });
        var held = handler.HandleAsync(Delivery(0), CancellationToken.None);
        var later = handler.HandleAsync(Delivery(1), CancellationToken.None);
        await TestCluster.EventuallyAsync(() => Task.FromResult(handler.Held == 2), TimeSpan.FromSeconds(5), "both held");

        handler.GiveUp();

        // Not at the end of a retry back-off, and with the consumer's own token never cancelled.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held.WaitAsync(TimeSpan.FromSeconds(2)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => later.WaitAsync(TimeSpan.FromSeconds(2)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handler.HandleAsync(Delivery(2), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2)));
        Assert.Equal(0, handler.Held);
        Assert.Equal(1, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task A_delivery_that_keeps_failing_is_handed_back_as_a_failure_after_its_attempts()
    {
        var handler = new InOrderShardHandler(0, (_, _, _) => Task.FromException(new InvalidOperationException("poison")), NullLogger.Instance,
            Quick with { MaxAttempts = 3 });
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => handler.HandleAsync(Delivery(0), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("poison", failure.Message);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
