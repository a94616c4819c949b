namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// State most actors never need (receive timeout, an in-flight async handler, the failed message, messages put
/// back at the front of the mailbox, a restart waiting for children, death watch, the logger), kept out of the cell so a
/// million idle actors stay small.
/// </summary>
internal sealed class CellExtras
{
    /// <summary>Messages that go ahead of the mailbox (unstashed ones); drained before the linked queue.</summary>
    public Queue<Envelope>? Front;

    /// <summary>The cause of a restart waiting for stopping children.</summary>
    public Exception? PendingRecreate;

    /// <summary>A stop or a restart waiting for an async handler or a held mailbox (and, once a stop waited, its deadline).</summary>
    public EndWait? EndWait;

    /// <summary>Behind <see cref="IActorContext.StoppingToken"/>: made on first use, cancelled when the instance's end begins, replaced on restart.</summary>
    public CancellationTokenSource? Stopping;

    /// <summary>Holds abandoned by a timed-out stop or restart; a <see cref="HeldTurn"/> from before one is stale.</summary>
    public int AbandonedHolds;

    public DeathWatchState? Watch;

    public TimeSpan? ReceiveTimeout;
    public ITimer? ReceiveTimeoutTimer;
    public object? FailedMessage;

    /// <summary>The children whose failures this actor escalated; they stay failed until this actor is resumed or restarted.</summary>
    public List<ActorCell>? EscalatedChildren;

    /// <summary>The actor's logger (<see cref="IActorContext.Log"/>), made on first use.</summary>
    public Microsoft.Extensions.Logging.ILogger? Log;
}
