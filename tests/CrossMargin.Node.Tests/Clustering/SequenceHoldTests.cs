using System.Collections.Concurrent;
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

        var four = hold.SendAsync(0, "acc", Deposit(4), account.SendAsync, CancellationToken.None);
        var three = hold.SendAsync(0, "acc", Deposit(3), account.SendAsync, CancellationToken.None);
        await TestCluster.EventuallyAsync(() => Task.FromResult(hold.HeldNow == 2), TimeSpan.FromSeconds(5), "both held");
        Assert.Empty(account.Applied);

        Assert.Null(Assert.IsType<CommandAccepted>(await hold.SendAsync(0, "acc", Deposit(1), account.SendAsync, CancellationToken.None)).Gap);
        Assert.Null(Assert.IsType<CommandAccepted>(await hold.SendAsync(0, "acc", Deposit(2), account.SendAsync, CancellationToken.None)).Gap);
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

        var five = hold.SendAsync(0, "acc", Deposit(5), account.SendAsync, CancellationToken.None);
        await Task.Delay(150);
        var six = hold.SendAsync(0, "acc", Deposit(6), account.SendAsync, CancellationToken.None);

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
        var held = hold.SendAsync(0, "acc", Deposit(2), account.SendAsync, CancellationToken.None);
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

        var answer = await hold.SendAsync(0, "acc", Deposit(3), account.SendAsync, CancellationToken.None);

        Assert.Equal(new SequenceGap(Wallet, 1, 2), Assert.IsType<CommandAccepted>(answer).Gap);
        Assert.Equal(0, hold.Held);
    }

    private static Deposit Deposit(long sequence) => new($"dep-{sequence}", Wallet, sequence, "USDT", 1m);

    // The account's sequence rules as MessageLedger states them, for one source: an ApplyInSequence that skips ahead is
    // answered CommandAhead; a bare command is applied with its gap; an old sequence is out of order.
    private sealed class SequencedAccount
    {
        private readonly Lock _gate = new();
        private readonly ConcurrentQueue<long> _applied = new();
        private long _highest;

        public IReadOnlyList<long> Applied => [.. _applied];

        public async Task<object> SendAsync(object message)
        {
            await Task.Yield();
            var inSequence = message is ApplyInSequence;
            var command = message is ApplyInSequence wrapped ? wrapped.Command : (IAccountCommand)message;
            lock (_gate)
            {
                if (command.Sequence <= _highest)
                {
                    return new CommandRejected(command.MessageId, new Rejection(RejectionCode.OutOfOrder, "old"));
                }

                var gap = command.Sequence > _highest + 1 ? new SequenceGap(command.Source, _highest + 1, command.Sequence - 1) : null;
                if (gap is not null && inSequence)
                {
                    return new CommandAhead(command.MessageId, gap);
                }

                _highest = command.Sequence;
                _applied.Enqueue(command.Sequence);
                return new CommandAccepted(command.MessageId, [], null, gap);
            }
        }
    }
}
