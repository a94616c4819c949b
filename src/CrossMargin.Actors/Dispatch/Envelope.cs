namespace CrossMargin.Actors.Dispatch;

/// <summary>A queued user message; also the node of the mailbox's linked queue.</summary>
internal sealed class Envelope(object? message, IActorRef? sender)
{
    public object? Message = message;
    public IActorRef? Sender = sender;
    public Envelope? Next;
}
