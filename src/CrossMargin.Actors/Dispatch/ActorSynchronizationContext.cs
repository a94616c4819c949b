namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// Installed while a <c>ReceiveAsync</c> handler runs, so its <c>await</c> continuations come back to the
/// actor's own turn instead of running on an arbitrary pool thread beside the next message.
/// </summary>
internal sealed class ActorSynchronizationContext(ActorCell cell) : SynchronizationContext
{
    /// <summary>The message whose handler this is, current again in each of its continuations.</summary>
    public object? Message { get; set; }

    /// <summary>That message's sender.</summary>
    public IActorRef? Sender { get; set; }

    /// <summary>
    /// Set on the actor's turn when a stop gave up waiting for this handler: its continuations are dropped rather than
    /// run on a terminated (or terminating) actor.
    /// </summary>
    public bool Abandoned { get; set; }

    /// <summary>The actor whose handler this is.</summary>
    public ActorCell Cell => cell;

    public override void Post(SendOrPostCallback d, object? state) => cell.SendSystemMessage(new RunContinuation(d, state, this));

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Synchronous Send would block the actor's own turn.");

    public override SynchronizationContext CreateCopy() => this;
}
