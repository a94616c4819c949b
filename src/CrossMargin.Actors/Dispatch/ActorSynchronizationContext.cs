namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// Installed while a <c>ReceiveAsync</c> handler runs, so its <c>await</c> continuations come back to the
/// actor's own turn instead of running on an arbitrary pool thread beside the next message.
/// </summary>
internal sealed class ActorSynchronizationContext(ActorCell cell) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) => cell.SendSystemMessage(new RunContinuation(d, state));

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Synchronous Send would block the actor's own turn.");

    public override SynchronizationContext CreateCopy() => this;
}
