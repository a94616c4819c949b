namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// A link of the mailbox's linked queue. The cell is one too: it is its own queue's first stub, so a new actor
/// allocates no separate stub node (32 bytes an actor).
/// </summary>
internal abstract class MailboxNode
{
    public MailboxNode? Next;
}

/// <summary>A queued user message; also the node of the mailbox's linked queue.</summary>
internal sealed class Envelope(object? message, IActorRef? sender) : MailboxNode
{
    public object? Message = message;
    public IActorRef? Sender = sender;
}
