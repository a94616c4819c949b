using CrossMargin.Engine.Accounts;
using CrossMargin.Node.Clustering;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// A shard delivery that skips ahead of its source waits for the missing ones (not applied, not acknowledged), and is
/// applied with the gap only when its wait expires; against an account stand-in that follows the ledger's sequence rules.
/// </summary>
public sealed class SequenceHoldTests
{
    private const string Wallet = "wallet";

    [Fact]
    public async Task A_message_ahead_of_its_source_waits_for_the_missing_ones_and_is_then_applied_without_a_gap()
    {
        var account = new SequencedAccount();
        var hold = new SequenceHold(TimeSpan.FromSeconds(30), NullLogger.Instance);
        hold.Open(0);

        var four = hold.SendAsync(0, "acc", Deposit(4), account.SendAsync, null, CancellationToken.None);
        var three = hold.SendAsync(0, "acc", Deposit(3), account.SendAsync, null, CancellationToken.None);
        await TestCluster.EventuallyAsync(() => Task.FromResult(hold.HeldNow == 2), TimeSpan.FromSeconds(5), "both held");
        Assert.Empty(account.Applied);

        Assert.Null(Assert.IsType<CommandAccepted>(await hold.SendAsync(0, "acc", Deposit(1), account.SendAsync, null, CancellationToken.None)).Gap);
        Assert.Null(Assert.IsType<CommandAccepted>(await hold.SendAsync(0, "acc", Deposit(2), account.SendAsync, null, CancellationToken.None)).Gap);
        Assert.Null(Assert.IsType<CommandAccepted>(await four.WaitAsync(TimeSpan.FromSeconds(5))).Gap);
        Assert.Null(Assert.IsType<CommandAccepted>(await three.WaitAsync(TimeSpan.FromSeconds(5))).Gap);

        Assert.Equal([1L, 2, 3, 4], account.Applied);
        Assert.Equal(2, hold.Held);
        Assert.Equal(0, hold.AppliedWithGap);
    }

    [Fact]
    public async Task A_held_message_is_applied_with_its_gap_when_the_wait_expires_and_the_later_ones_follow_in_order()
    {
        var account = new SequencedAccount();
        var hold = new SequenceHold(TimeSpan.FromMilliseconds(400), NullLogger.Instance);
        hold.Open(0);

        var five = hold.SendAsync(0, "acc", Deposit(5), account.SendAsync, null, CancellationToken.None);
        await Task.Delay(150);
        var six = hold.SendAsync(0, "acc", Deposit(6), account.SendAsync, null, CancellationToken.None);

        Assert.Equal(new SequenceGap(Wallet, 1, 4), Assert.IsType<CommandAccepted>(await five.WaitAsync(TimeSpan.FromSeconds(5))).Gap);
        Assert.Null(Assert.IsType<CommandAccepted>(await six.WaitAsync(TimeSpan.FromSeconds(5))).Gap);
        Assert.Equal([5L, 6], account.Applied);
        Assert.Equal(1, hold.AppliedWithGap);
    }

    [Fact]
    public async Task Releasing_the_shard_gives_its_held_messages_up_unapplied()
    {
        var account = new SequencedAccount();
        var hold = new SequenceHold(TimeSpan.FromSeconds(30), NullLogger.Instance);
        hold.Open(0);
        var held = hold.SendAsync(0, "acc", Deposit(2), account.SendAsync, null, CancellationToken.None);
        await TestCluster.EventuallyAsync(() => Task.FromResult(hold.HeldNow == 1), TimeSpan.FromSeconds(5), "held");

        hold.Release(0);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Empty(account.Applied);
        Assert.Equal(0, hold.HeldNow);
    }

    [Fact]
    public async Task With_no_hold_configured_a_gap_is_applied_at_once()
    {
        var account = new SequencedAccount();
        var hold = new SequenceHold(TimeSpan.Zero, NullLogger.Instance);

        var answer = await hold.SendAsync(0, "acc", Deposit(3), account.SendAsync, null, CancellationToken.None);

        Assert.Equal(new SequenceGap(Wallet, 1, 2), Assert.IsType<CommandAccepted>(answer).Gap);
        Assert.Equal(0, hold.Held);
    }

    private static Deposit Deposit(long sequence) => new($"dep-{sequence}", Wallet, sequence, "USDT", 1m);
}
