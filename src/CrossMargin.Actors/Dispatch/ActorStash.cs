namespace CrossMargin.Actors.Dispatch;

/// <summary>An unbounded stash: a list of envelopes owned by one actor instance.</summary>
internal sealed class ActorStash(ActorCell cell) : IStash
{
    private readonly List<Envelope> _stashed = [];

    public int Count => _stashed.Count;

    public void Stash()
    {
        var message = cell.CurrentMessage
            ?? throw new InvalidOperationException("Stash is only possible while processing a message.");
        if (_stashed.Count > 0 && ReferenceEquals(_stashed[^1].Message, message) && ReferenceEquals(_stashed[^1].Sender, cell.CurrentSender))
        {
            throw new InvalidOperationException($"The same {message.GetType().Name} cannot be stashed twice.");
        }

        _stashed.Add(new Envelope(message, cell.CurrentSender));
    }

    public void Unstash()
    {
        if (_stashed.Count == 0)
        {
            return;
        }

        var oldest = _stashed[0];
        _stashed.RemoveAt(0);
        cell.Prepend([oldest]);
    }

    public void UnstashAll() => ReturnAllToMailbox();

    internal void ReturnAllToMailbox()
    {
        if (_stashed.Count == 0)
        {
            return;
        }

        var all = _stashed.ToArray();
        _stashed.Clear();
        cell.Prepend(all);
    }

    internal void DrainToDeadLetters()
    {
        foreach (var envelope in _stashed)
        {
            cell.System.DeadLetter(envelope.Message!, envelope.Sender, cell);
        }

        _stashed.Clear();
    }
}
