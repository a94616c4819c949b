namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// State most actors never need (receive timeout, an in-flight async handler, the failed message), kept out of
/// the cell so a million idle actors stay small.
/// </summary>
internal sealed class CellExtras
{
    public TimeSpan? ReceiveTimeout;
    public ITimer? ReceiveTimeoutTimer;
    public ActorSynchronizationContext? AsyncContext;
    public object? AsyncMessage;
    public IActorRef? AsyncSender;
    public object? FailedMessage;

    /// <summary>The child whose failure this actor escalated; it stays failed until this actor is resumed or restarted.</summary>
    public ActorCell? EscalatedChild;
}
