namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// A <see cref="Terminated"/> queued by death watch. Wrapped so that Unwatch can cancel it while it waits in the
/// mailbox, without touching a Terminated an actor merely forwarded to another.
/// </summary>
internal sealed class QueuedTerminated(Terminated terminated) : IAutoReceivedMessage
{
    public Terminated Terminated { get; } = terminated;
}
