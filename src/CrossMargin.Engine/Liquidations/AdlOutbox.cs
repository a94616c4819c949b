using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The coordinator's auto-deleverage messages to each account, sent in sequence order and never past a side of the same
/// account that has not been answered: a side may be refused, and what takes its place (its void, or the side sent again
/// without the position it states) must reach the account before any later sequence does. Otherwise another
/// liquidation's fill to the same counterparty overtakes the void, and an embedded account applies it with a gap (a
/// cluster's account holds it until the void fills the gap).
/// </summary>
/// <remarks>
/// A side awaiting its answer stays in the way until it is answered as applied (<see cref="Answered"/>) or something is
/// sent at its sequence that awaits none (its void). Everything may be held back at once (<see cref="Hold"/>) while a
/// restarted coordinator sends its liquidations' messages again, liquidation by liquidation, and sent on
/// <see cref="Release"/> account by account in sequence order.
/// </remarks>
internal sealed class AdlOutbox(Action<string, IAccountCommand> send)
{
    private readonly Dictionary<string, Queue> _byAccount = new(StringComparer.Ordinal);
    private bool _holding;

    /// <summary>
    /// Sends <paramref name="command"/> to <paramref name="accountId"/> now, or once every side before it (by sequence) has
    /// been answered; with <paramref name="awaitsAnswer"/>, nothing after it goes until it is answered. The same sequence
    /// again replaces what is held at it.
    /// </summary>
    public void Send(string accountId, IAccountCommand command, bool awaitsAnswer)
    {
        ArgumentNullException.ThrowIfNull(command);
        var queue = For(accountId);
        queue.Held[command.Sequence] = (command, awaitsAnswer);
        Flush(accountId, queue);
    }

    /// <summary>The side at <paramref name="sequence"/> was applied (or answered as a duplicate): it is in the way no longer.</summary>
    public void Answered(string accountId, long sequence)
    {
        if (!_byAccount.TryGetValue(accountId, out var queue))
        {
            return;
        }

        queue.Unanswered.Remove(sequence);

        // A copy of it waiting to be sent again (a re-send on a timeout) would only be answered as a duplicate.
        queue.Held.Remove(sequence);
        Flush(accountId, queue);
    }

    /// <summary>Holds every message back until <see cref="Release"/>.</summary>
    public void Hold() => _holding = true;

    /// <summary>Sends what was held back, each account's in sequence order.</summary>
    public void Release()
    {
        _holding = false;
        foreach (var (accountId, queue) in _byAccount.ToArray())
        {
            Flush(accountId, queue);
        }
    }

    private void Flush(string accountId, Queue queue)
    {
        while (!_holding && queue.Held.Count > 0)
        {
            var sequence = queue.Held.Keys[0];
            if (queue.Unanswered.Count > 0 && queue.Unanswered.Min < sequence)
            {
                return;
            }

            var (command, awaitsAnswer) = queue.Held.Values[0];
            queue.Held.RemoveAt(0);
            if (awaitsAnswer)
            {
                queue.Unanswered.Add(sequence);
            }
            else
            {
                queue.Unanswered.Remove(sequence);
            }

            send(accountId, command);
        }

        if (queue.Held.Count == 0 && queue.Unanswered.Count == 0)
        {
            _byAccount.Remove(accountId);
        }
    }

    private Queue For(string accountId)
    {
        if (!_byAccount.TryGetValue(accountId, out var queue))
        {
            _byAccount[accountId] = queue = new Queue();
        }

        return queue;
    }

    /// <summary>One account's messages not sent yet, by sequence, and the sequences of its sides sent and not answered.</summary>
    private sealed class Queue
    {
        public SortedList<long, (IAccountCommand Command, bool AwaitsAnswer)> Held { get; } = [];

        public SortedSet<long> Unanswered { get; } = [];
    }
}
