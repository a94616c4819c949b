namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// A stop or a restart that has to wait for an async handler or a held mailbox: made only when one does (few actors ever),
/// apart from <see cref="CellExtras"/>, which every watched actor carries (a shard's million entities).
/// </summary>
internal sealed class EndWait
{
    /// <summary>The cause of a restart waiting for an async handler or a held mailbox to finish.</summary>
    public Exception? RecreateAfterHold;

    /// <summary>Bounds a stop's or a restart's wait for an async handler or a held mailbox (<see cref="ActorSystemOptions.StopTimeout"/>).</summary>
    public ITimer? Timer;

    /// <summary>When <see cref="Timer"/> fires (a <see cref="TimeProvider"/> timestamp).</summary>
    public long TimerDue;

    /// <summary>
    /// The deadline of this actor's stop, once its stop had to wait: inherited from a stopping parent or its own
    /// (<see cref="ActorSystemOptions.StopTimeout"/> from when it began). Its children's stops inherit it.
    /// </summary>
    public long? StopDeadline;
}
