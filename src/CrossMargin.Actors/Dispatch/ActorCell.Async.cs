using Microsoft.Extensions.Logging;

namespace CrossMargin.Actors.Dispatch;

/// <summary>Async handlers, receive timeout and returning stashed messages to the mailbox.</summary>
internal sealed partial class ActorCell
{
    /// <summary>Runs an async handler; until its task completes the mailbox is held and continuations run on this actor's turn.</summary>
    internal void RunAsync<T>(Func<T, Task> handler, T message)
    {
        // A context per handler, dropped when its task ends: an idle actor keeps none (a persistent actor runs one per
        // write, and a million idle accounts would each hold one), and the continuations of a handler find its message
        // and sender in the context they were posted through.
        var context = new ActorSynchronizationContext(this);
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        Task task;
        try
        {
            task = handler(message);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        if (task.IsCompleted)
        {
            task.GetAwaiter().GetResult();
            return;
        }

        context.Message = _currentMessage;
        context.Sender = _currentSender;

        // In flight until ResumeAfterAsync, wherever the task's own work runs.
        _system.Activity?.Begin();
        _awaiting = context;
        _flags |= CellFlags.Awaiting;
        task.ContinueWith(
            static (t, state) =>
            {
                var handler = (ActorSynchronizationContext)state!;
                handler.Cell.SendSystemMessage(new AsyncCompleted(t, handler));
            },
            context,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Holds the mailbox until the returned turn is resumed (from any thread, once), then calls <paramref name="then"/> with the
    /// reported outcome on this actor's turn, with the current message and sender current again. One hold at a time.
    /// </summary>
    internal HeldTurn Hold<TState>(Action<TState, Exception?> then, TState state)
    {
        if ((_flags & CellFlags.Held) != 0)
        {
            throw new InvalidOperationException($"{Path} already holds its mailbox for an outcome; only one hold at a time.");
        }

        _flags |= CellFlags.Held;

        // In flight until ResumeHeld: the outcome (a journal write) is reported from a thread the system does not own.
        _system.Activity?.Begin();
        return new HeldTurn<TState>(this, _currentMessage, _currentSender, _extras?.AbandonedHolds ?? 0, then, state);
    }

    private void ResumeHeld(HeldTurn held)
    {
        if ((_flags & CellFlags.Held) == 0 || held.Generation != (_extras?.AbandonedHolds ?? 0))
        {
            // The hold was abandoned by a stop or restart that timed out: its rest must not run on an actor that has had, or
            // is having, its end, nor end the hold of the instance that replaced it.
            return;
        }

        _flags &= ~CellFlags.Held;
        _system.Activity?.End();
        _currentMessage = held.Message;
        _currentSender = held.Sender;
        try
        {
            held.Run();
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e);
        }
        finally
        {
            _currentMessage = null;
            _currentSender = null;
        }

        RestartReceiveTimeout();
        RecreateOrTerminateIfPending();
    }

    // A stop or a restart that arrived while the mailbox was held happens once nothing holds it any more; a stop wins.
    private void RecreateOrTerminateIfPending()
    {
        if ((_flags & (CellFlags.Awaiting | CellFlags.Held)) != 0)
        {
            return;
        }

        var recreate = _extras?.EndWait?.RecreateAfterHold;
        if (recreate is not null)
        {
            _extras!.EndWait!.RecreateAfterHold = null;
        }

        if ((_flags & CellFlags.TerminatePending) != 0)
        {
            _flags &= ~CellFlags.TerminatePending;
            BeginTerminate();
        }
        else if (recreate is not null)
        {
            DoRecreate(recreate);
        }
    }

    /// <summary>
    /// The deadline of a stop (a <see cref="TimeProvider"/> timestamp): the earliest of the one inherited from a stopping
    /// parent, the one this actor's stop already has, and the system's termination's; <see cref="ActorSystemOptions.StopTimeout"/>
    /// from now when there is none.
    /// </summary>
    private long StopDeadline(long? inherited)
    {
        var deadline = inherited;
        if (_extras?.EndWait?.StopDeadline is { } own && (deadline is null || own < deadline))
        {
            deadline = own;
        }

        var result = deadline ?? _system.TimeProvider.GetTimestamp() + _system.StopTimeoutTimestampTicks;
        return _system.TerminationDeadline is { } system && system < result ? system : result;
    }

    /// <summary>
    /// A stop waits for an in-flight handler or hold, but only until <paramref name="deadline"/>: then the actor stops without
    /// its rest. Arms the timer (or brings it forward); false when the deadline has passed already.
    /// </summary>
    private bool WaitForInFlightUntil(long deadline)
    {
        var wait = (_extras ??= new CellExtras()).EndWait ??= new EndWait();
        if (wait.Timer is not null && wait.TimerDue <= deadline)
        {
            return true;
        }

        var time = _system.TimeProvider;
        var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
        if (remaining <= TimeSpan.Zero)
        {
            return false;
        }

        wait.TimerDue = deadline;
        if (wait.Timer is { } timer)
        {
            timer.Change(remaining, Timeout.InfiniteTimeSpan);
        }
        else
        {
            wait.Timer = time.CreateTimer(static state => ((ActorCell)state!).SendSystemMessage(new StopTimedOut()), this, remaining, Timeout.InfiniteTimeSpan);
        }

        return true;
    }

    private void DisposeStopTimer()
    {
        if (_extras?.EndWait is { Timer: { } timer } wait)
        {
            timer.Dispose();
            wait.Timer = null;
        }
    }

    /// <summary>
    /// A stop or a restart timed out waiting: the handler or hold still in flight is abandoned (its late outcome,
    /// continuations and failure are dropped when they come) and the stop or restart goes ahead. A persistent actor's write
    /// abandoned here may still commit: the next incarnation's recovery reads the highest sequence number first, so that
    /// event is either replayed or makes the next write conflict (PersistentActor), never a fork.
    /// </summary>
    private void AbandonInFlightAfterTimeout()
    {
        if (_extras?.EndWait is not { Timer: { } timer } wait || _lifecycle != Running)
        {
            return; // the wait it bounded ended meanwhile (its timer was disposed): the stop or restart already went ahead
        }

        var time = _system.TimeProvider;
        var remaining = time.GetElapsedTime(time.GetTimestamp(), wait.TimerDue);
        if (remaining > TimeSpan.Zero)
        {
            // A timer that fired early, or one the wait it bounded ended before a later wait re-armed it: wait the rest.
            timer.Change(remaining, Timeout.InfiniteTimeSpan);
            return;
        }

        timer.Dispose();
        wait.Timer = null;
        var stopping = (_flags & CellFlags.TerminatePending) != 0;
        if ((_flags & (CellFlags.Awaiting | CellFlags.Held)) == 0 || (!stopping && wait.RecreateAfterHold is null))
        {
            return;
        }

        AbandonInFlight(stopping ? "stops" : "restarts");
        RecreateOrTerminateIfPending();
    }

    /// <summary>Gives up on the in-flight handler or hold, with a warning saying what it was and that the actor <paramref name="goesOn"/>.</summary>
    private void AbandonInFlight(string goesOn)
    {
        var awaiting = _awaiting;
        var what = (_flags & CellFlags.Awaiting) != 0
            ? $"the async handler of {awaiting?.Message?.GetType().Name ?? "(no message)"}"
            : "a held mailbox (an outcome reported from elsewhere, such as a persistent actor's journal write)";
        Logger.LogWarning(
            "Actor {ActorPath} ({ActorType}) did not finish {What} within its stop timeout ({StopTimeout}, from when its stop or the stop of an ancestor began); it {GoesOn} anyway, and that work's late outcome will be ignored",
            Path, _props.ActorType.Name, what, _system.Options.StopTimeout, goesOn);

        if ((_flags & CellFlags.Awaiting) != 0)
        {
            if (awaiting is not null)
            {
                awaiting.Abandoned = true;
            }

            _awaiting = null;
            _flags &= ~CellFlags.Awaiting;
            _system.Activity?.End();
        }

        if ((_flags & CellFlags.Held) != 0)
        {
            // A restarted actor stays the same cell: the abandoned hold's late resume must not end a hold of the next instance.
            _flags &= ~CellFlags.Held;
            (_extras ??= new CellExtras()).AbandonedHolds++;
            _system.Activity?.End();
        }
    }

    private void RunContinuationOnTurn(RunContinuation continuation)
    {
        var context = continuation.Context;
        if (context.Abandoned)
        {
            // A handler a timed-out stop gave up on: the rest of it never runs (its task stays incomplete).
            return;
        }

        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        _currentMessage = context.Message;
        _currentSender = context.Sender;
        try
        {
            continuation.Callback(continuation.State);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            _currentMessage = null;
            _currentSender = null;
        }
    }

    private void ResumeAfterAsync(AsyncCompleted completed)
    {
        if (completed.Context.Abandoned)
        {
            // Abandoned by a stop that timed out: nothing of it touches the actor, its failure included.
            return;
        }

        var task = completed.Task;
        var context = _awaiting;
        _flags &= ~CellFlags.Awaiting;
        _system.Activity?.End();
        _awaiting = null;
        _currentMessage = context?.Message;
        _currentSender = context?.Sender;
        try
        {
            if (task.IsCanceled && (_flags & CellFlags.Ending) != 0)
            {
                // The end began and cancelled the stopping token; a handler that let that cancellation escape ended as asked.
                // Reported as a failure, a stop that was not its parent's would reach the parent's strategy (an all-for-one
                // parent restarted the siblings), and a restart would log an error for what it asked for itself.
                Logger.LogDebug("The async handler of {ActorPath} ended cancelled by its stopping token", Path);
            }
            else if (!task.IsCompletedSuccessfully)
            {
                try
                {
                    task.GetAwaiter().GetResult();
                }
                catch (Exception e)
                {
                    HandleInvokeFailure(e);
                }
            }
        }
        finally
        {
            _currentMessage = null;
            _currentSender = null;
        }

        RestartReceiveTimeout();
        RecreateOrTerminateIfPending();
    }

    internal TimeSpan? ReceiveTimeout => _extras?.ReceiveTimeout;

    internal void SetReceiveTimeout(TimeSpan? timeout)
    {
        if (timeout is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A receive timeout must be positive; use null to turn it off.");
        }

        CancelReceiveTimeout();
        if (timeout is null)
        {
            return;
        }

        var extras = _extras ??= new CellExtras();
        extras.ReceiveTimeout = timeout;
        extras.ReceiveTimeoutTimer = _system.TimeProvider.CreateTimer(
            static state => ((ActorCell)state!).Tell(Actors.ReceiveTimeout.Instance, null), this, timeout.Value, timeout.Value);
    }

    private void PauseReceiveTimeout() => _extras!.ReceiveTimeoutTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    /// <summary>
    /// After a message (or the rest of one that held the mailbox): the idle period starts again, unless the mailbox is
    /// still held for an outcome, which is busy too: the resume restarts it then.
    /// </summary>
    private void RestartReceiveTimeout()
    {
        if (_extras is not { ReceiveTimeout: { } timeout, ReceiveTimeoutTimer: { } timer } || _lifecycle != Running)
        {
            return;
        }

        if ((_flags & (CellFlags.Awaiting | CellFlags.Held)) != 0)
        {
            timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        else
        {
            timer.Change(timeout, timeout);
        }
    }

    private void CancelReceiveTimeout()
    {
        if (_extras is { } extras)
        {
            extras.ReceiveTimeoutTimer?.Dispose();
            extras.ReceiveTimeoutTimer = null;
            extras.ReceiveTimeout = null;
        }
    }

    /// <summary>Puts messages back at the front of the mailbox, ahead of anything already there, in the given order.</summary>
    internal void Prepend(IReadOnlyCollection<Envelope> envelopes)
    {
        if (envelopes.Count == 0)
        {
            return;
        }

        var extras = _extras ??= new CellExtras();
        var front = new Queue<Envelope>(envelopes.Count + (extras.Front?.Count ?? 0));
        foreach (var envelope in envelopes)
        {
            front.Enqueue(envelope);
            _system.Activity?.Begin();
        }

        if (extras.Front is not null)
        {
            foreach (var envelope in extras.Front)
            {
                front.Enqueue(envelope);
            }
        }

        extras.Front = front;
    }
}
