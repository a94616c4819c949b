using System.Globalization;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Engine.Accounts;
using CrossMargin.Node.Clustering;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// A shard's in-order retry and its sequence hold together, as a node composes them: a message held for the ones
/// before it never makes them wait behind it, and never goes ahead of them with a gap while they wait for a retry on
/// the same shard, which would leave them refused as out of order: lost.
/// </summary>
public sealed class InOrderRetryThroughTheSequenceHoldTests
{
    private static readonly TimeSpan ShortHold = TimeSpan.FromMilliseconds(300);
    private static readonly InOrderRetryOptions Quick = new() { FirstBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(80), MaxAttempts = 200 };

    [Fact]
    public async Task A_message_held_for_one_that_then_fails_lets_it_be_retried_and_waits_for_it_longer_than_the_hold()
    {
        // Message 1 is in flight when 2 arrives and is held for it; then 1 fails. The retry of 1 must not wait for 2 to
        // settle (2 waits for 1), and 2's wait must not expire while 1 waits for its retry: applied with its gap (its
        // own write would succeed), 2 would leave 1 refused as out of order when it is retried.
        var firstTry = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tried = 0;
        var (account, hold, handler) = Shard((account, hold) => async (d, observer, ct) =>
        {
            if (Seq(d) == 1 && Interlocked.Exchange(ref tried, 1) == 0)
            {
                await firstTry.Task;
            }

            await hold.SendAsync(0, "acc", Deposit(Seq(d)), account.SendAsync, observer, ct);
        });

        var first = handler.HandleAsync(Delivery(1), CancellationToken.None);
        var second = handler.HandleAsync(Delivery(2), CancellationToken.None);
        await TestCluster.EventuallyAsync(() => Task.FromResult(hold.HeldNow == 1), TimeSpan.FromSeconds(5), "2 held");
        account.Failing = 1;
        firstTry.SetResult();
        await TestCluster.EventuallyAsync(() => Task.FromResult(handler.Retrying), TimeSpan.FromSeconds(5), "1 failed");
        await Task.Delay(ShortHold * 3);
        account.Failing = 0;
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([1L, 2], account.Applied);
        Assert.Equal(0, hold.AppliedWithGap);
        Assert.False(handler.Retrying);
        Assert.Equal(0, handler.Held);
    }

    [Fact]
    public async Task A_retry_held_for_earlier_messages_parked_after_it_lets_them_go_first()
    {
        // The shard moved: message 3 reached this node before 1 and 2, which the previous owner returned to the queue.
        // 3 failed while the journal was down, and 1 and 2 arrived during the outage, so all three wait for the retry,
        // 3 first. Retried first, 3 is held for 1 and 2: the retry must go on to them rather than wait for 3.
        var (account, hold, handler) = Shard();
        account.Down = true;
        var three = handler.HandleAsync(Delivery(3), CancellationToken.None);
        await TestCluster.EventuallyAsync(() => Task.FromResult(handler.Held == 1), TimeSpan.FromSeconds(5), "3 failed");
        var one = handler.HandleAsync(Delivery(1), CancellationToken.None);
        var two = handler.HandleAsync(Delivery(2), CancellationToken.None);
        account.Down = false;

        await Task.WhenAll(three, one, two).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([1L, 2, 3], account.Applied);
        Assert.Equal(0, hold.AppliedWithGap);
        Assert.False(handler.Retrying);
        Assert.Equal(0, handler.Held);
    }

    [Fact]
    public async Task Once_the_retries_are_through_a_message_whose_predecessors_never_come_is_applied_with_its_gap_after_a_whole_hold()
    {
        var (account, hold, handler) = Shard();
        account.Down = true;
        var one = handler.HandleAsync(Delivery(1), CancellationToken.None);
        await TestCluster.EventuallyAsync(() => Task.FromResult(handler.Retrying), TimeSpan.FromSeconds(5), "1 failed");
        var five = handler.HandleAsync(Delivery(5), CancellationToken.None);
        await Task.Delay(ShortHold * 2);
        account.Down = false;

        await Task.WhenAll(one, five).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([1L, 5], account.Applied);
        Assert.Equal(1, hold.AppliedWithGap);
        Assert.False(handler.Retrying);
    }

    private static (SequencedAccount Account, SequenceHold Hold, InOrderShardHandler Handler) Shard(
        Func<SequencedAccount, SequenceHold, InOrderDeliveryHandler>? inner = null)
    {
        var account = new SequencedAccount();
        var hold = new SequenceHold(ShortHold, NullLogger.Instance);
        var handler = new InOrderShardHandler(0,
            inner?.Invoke(account, hold) ?? ((d, observer, ct) => hold.SendAsync(0, "acc", Deposit(Seq(d)), account.SendAsync, observer, ct)),
            NullLogger.Instance, Quick);
        hold.Open(0, () => handler.Retrying);
        return (account, hold, handler);
    }

    private static long Seq(ShardDelivery delivery) => long.Parse(delivery.MessageId!.AsSpan(4), CultureInfo.InvariantCulture);

    private static Deposit Deposit(long sequence) => new($"dep-{sequence}", "wallet", sequence, "USDT", 1m);

    private static ShardDelivery Delivery(long sequence) => new()
    {
        Body = ReadOnlyMemory<byte>.Empty,
        MessageId = $"dep-{sequence}",
        Type = "deposit",
        AccountId = "acc",
        Shard = 0,
        Redelivered = false,
        Attempt = 1,
    };
}
