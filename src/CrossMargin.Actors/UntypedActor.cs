namespace CrossMargin.Actors;

/// <summary>
/// An actor with one handler for everything. Call <see cref="ActorBase.Unhandled"/> for messages it does not
/// understand.
/// </summary>
public abstract class UntypedActor : ActorBase
{
    /// <summary>Handles one message.</summary>
    protected abstract void OnReceive(object message);

    /// <inheritdoc />
    protected internal sealed override bool Receive(object message)
    {
        OnReceive(message);
        return true;
    }
}
