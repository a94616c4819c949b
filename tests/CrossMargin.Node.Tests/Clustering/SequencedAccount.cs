using System.Collections.Concurrent;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// An account stand-in with the sequence rules <c>MessageLedger</c> states, for one source: an
/// <see cref="ApplyInSequence"/> that skips ahead is answered <see cref="CommandAhead"/>; a bare command is applied with
/// its gap; an old sequence is out of order. While <see cref="Down"/> it throws instead, as an account does whose
/// journal write failed, and so does the message of sequence <see cref="Failing"/> alone (one batch's write failing).
/// </summary>
internal sealed class SequencedAccount
{
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<long> _applied = new();
    private long _highest;
    private int _down;
    private long _failing;

    /// <summary>The sequences applied, in order.</summary>
    public IReadOnlyList<long> Applied => [.. _applied];

    /// <summary>While true every message fails.</summary>
    public bool Down
    {
        get => Volatile.Read(ref _down) == 1;
        set => Volatile.Write(ref _down, value ? 1 : 0);
    }

    /// <summary>The sequence whose message fails while set; 0 for none.</summary>
    public long Failing
    {
        get => Interlocked.Read(ref _failing);
        set => Interlocked.Exchange(ref _failing, value);
    }

    public async Task<object> SendAsync(object message)
    {
        await Task.Yield();
        var inSequence = message is ApplyInSequence;
        var command = message is ApplyInSequence wrapped ? wrapped.Command : (IAccountCommand)message;
        if (Down || command.Sequence == Failing)
        {
            throw new InvalidOperationException("journal down");
        }

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
