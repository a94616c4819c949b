namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// The rest of a message's handling, after the cell held its mailbox for an outcome reported from elsewhere
/// (<see cref="ActorCell.Hold{TState}"/>): sent to the cell as a system message once, when that outcome is reported.
/// </summary>
internal abstract class HeldTurn(ActorCell cell, object? message, IActorRef? sender, int generation) : SystemMessage
{
    private int _resumed;

    /// <summary>How many holds the cell had abandoned when this one began: a resume from before an abandonment is stale.</summary>
    public int Generation { get; } = generation;

    /// <summary>The message being handled when the mailbox was held, current again when the turn resumes.</summary>
    public object? Message { get; } = message;

    /// <summary>That message's sender.</summary>
    public IActorRef? Sender { get; } = sender;

    /// <summary>The outcome reported: null for success.</summary>
    protected Exception? Error { get; private set; }

    /// <summary>Reports the outcome (null for success); the cell resumes on its own turn. Once only.</summary>
    public void Resume(Exception? error)
    {
        // Sent twice, the instance would be linked into the inbox twice (its Next is the inbox's).
        if (Interlocked.Exchange(ref _resumed, 1) != 0)
        {
            throw new InvalidOperationException("A held turn was resumed twice.");
        }

        Error = error;
        cell.SendSystemMessage(this);
    }

    /// <summary>Runs the rest of the handling, on the cell's turn.</summary>
    public abstract void Run();
}

/// <summary>A <see cref="HeldTurn"/> whose rest is a callback with its state passed in (no closure).</summary>
internal sealed class HeldTurn<TState>(ActorCell cell, object? message, IActorRef? sender, int generation, Action<TState, Exception?> then, TState state)
    : HeldTurn(cell, message, sender, generation)
{
    public override void Run() => then(state, Error);
}
