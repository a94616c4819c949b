using Microsoft.Extensions.Logging;

namespace CrossMargin.Actors.Dispatch;

/// <summary>Creation, failure, restart and termination. Runs on the cell's own turn only.</summary>
internal sealed partial class ActorCell
{
    private void DoCreate()
    {
        try
        {
            _actor = NewActor();
            _actor.AroundPreStart();
        }
        catch (Exception e)
        {
            HandleInvokeFailure(new ActorInitializationException($"{Path}: creating {_props.ActorType.Name} failed: {e.Message}", e));
        }
    }

    private ActorBase NewActor()
    {
        var previous = ConstructingCell;
        ConstructingCell = this;
        ActorBase actor;
        bool constructedNow;
        try
        {
            actor = _props.NewActor();

            // The ActorBase constructor takes the constructing cell; if it is still here, no actor was constructed.
            constructedNow = ConstructingCell is null;
        }
        finally
        {
            ConstructingCell = previous;
        }

        if (!constructedNow || !ReferenceEquals(actor.Cell, this))
        {
            throw new ActorInitializationException($"The Props factory for {Path} returned an existing instance; it must create a new one on every call.");
        }

        actor.OnConstructed();
        return actor;
    }

    /// <summary>The actor threw: suspend it (and its children) and let the parent decide.</summary>
    private void HandleInvokeFailure(Exception cause)
    {
        if (_lifecycle != Running || (_flags & CellFlags.Failed) != 0)
        {
            Logger.LogError(cause, "Actor {ActorPath} failed again while stopping or awaiting its supervisor; the failure is only logged", Path);
            return;
        }

        _flags |= CellFlags.Failed;
        (_extras ??= new CellExtras()).FailedMessage = _currentMessage;
        SuspendChildren();
        if (_parent is null)
        {
            Logger.LogCritical(cause, "The root guardian of {ActorSystem} failed; the system stops", _system.Name);
            BeginTerminate();
            return;
        }

        _parent.SendSystemMessage(new Failed(this, cause));
    }

    private void HandleChildFailure(ActorCell child, Exception cause)
    {
        if (_children is null || child.StoppingByParent || !_children.Contains(child))
        {
            return;
        }

        var strategy = _actor?.StrategyForChildren() ?? _props.SupervisorStrategy ?? Supervision.SupervisorStrategy.Default;
        Supervision.Directive directive;
        try
        {
            directive = strategy.Decide(cause);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "The supervisor strategy of {ActorPath} threw while deciding; escalating", Path);
            directive = Supervision.Directive.Escalate;
        }

        if (strategy.LoggingEnabled)
        {
            var level = directive == Supervision.Directive.Resume ? LogLevel.Warning : LogLevel.Error;
            child.Logger.Log(level, cause, "Actor {ActorPath} failed processing {MessageType}; supervisor directive {Directive}",
                child.Path, child._extras?.FailedMessage?.GetType().Name ?? "(no message)", directive);
        }

        switch (directive)
        {
            case Supervision.Directive.Resume:
                child.SendSystemMessage(new Resume(cause));
                break;
            case Supervision.Directive.Escalate:
                if ((_flags & CellFlags.Failed) == 0)
                {
                    HandleInvokeFailure(cause);
                }

                // A child escalating while this actor already awaits its supervisor (a sibling escalated first) joins
                // that decision: it is resumed with this actor, or stopped or restarted with it.
                if ((_flags & CellFlags.Failed) != 0)
                {
                    (_extras!.EscalatedChildren ??= []).Add(child);
                }

                break;
            default:
                strategy.Apply(this, child, cause, restart: directive == Supervision.Directive.Restart, _system.TimeProvider);
                break;
        }
    }

    /// <summary>Restart keeps the mailbox: only the instance (its state) is replaced, after stopped children are gone.</summary>
    private void DoRecreate(Exception cause)
    {
        if (_lifecycle != Running)
        {
            return;
        }

        CancelStoppingToken();

        if ((_flags & CellFlags.Failed) == 0)
        {
            // A sibling's failure under all-for-one: stop taking messages while this one restarts too.
            _flags |= CellFlags.Failed;
            SuspendChildren();
        }

        if ((_flags & (CellFlags.Awaiting | CellFlags.Held)) != 0)
        {
            // An async handler or a held mailbox is in flight: its rest belongs to this instance, so the restart waits for
            // it, as a stop does. A persistent actor's write is then handled by the instance that made it, before the new
            // one recovers, rather than by a callback into the replaced instance while the new one reads the journal.
            // For StopTimeout at most, as a stop: then that rest is abandoned (never run, on this instance or the next) and
            // the restart goes ahead. An abandoned journal write that commits late makes the next incarnation's write
            // conflict, never fork history (recovery reads the highest sequence number first: CrossMargin.Persistence).
            ((_extras ??= new CellExtras()).EndWait ??= new EndWait()).RecreateAfterHold = cause;
            WaitForInFlightUntil(_system.TimeProvider.GetTimestamp() + _system.StopTimeoutTimestampTicks);
            return;
        }

        DisposeStopTimer();
        var actor = _actor;
        CancelReceiveTimeout();
        if (actor is not null)
        {
            actor.StashOrNull?.ReturnAllToMailbox();
            _currentMessage = _extras?.FailedMessage;
            try
            {
                actor.AroundPreRestart(cause, _extras?.FailedMessage);
            }
            catch (Exception e)
            {
                Logger.LogError(e, "PreRestart of {ActorPath} threw; restarting anyway", Path);
            }
            finally
            {
                _currentMessage = null;
            }
        }

        (_extras ??= new CellExtras()).PendingRecreate = cause;
        if (!HasStoppingChildren())
        {
            FinishRecreate();
        }
    }

    private void FinishRecreate()
    {
        var extras = _extras!;
        var cause = extras.PendingRecreate!;
        extras.PendingRecreate = null;
        _actor = null;
        extras.FailedMessage = null;

        // The old instance's token stays cancelled (its handlers may still hold it); the new instance gets its own.
        extras.Stopping = null;
        _flags &= ~CellFlags.Ending;

        try
        {
            var actor = NewActor();
            _actor = actor;
            actor.AroundPostRestart(cause);
        }
        catch (Exception e)
        {
            _flags &= ~CellFlags.Failed;
            HandleInvokeFailure(new ActorInitializationException($"{Path}: restarting {_props.ActorType.Name} failed: {e.Message}", e));
            return;
        }

        _flags &= ~CellFlags.Failed;
        ResumeChildren();
        ResumeEscalatedChildren(cause);
    }

    private void DoResume(Exception? causedByFailure)
    {
        if (causedByFailure is null)
        {
            if (_suspendedByParent > 0)
            {
                _suspendedByParent--;
                ForEachChild(static c => c.SendSystemMessage(new Resume(null)));
            }

            return;
        }

        if (_actor is null)
        {
            // Nothing to resume: the instance never came up. Recreating is the only way forward.
            DoRecreate(causedByFailure);
            return;
        }

        _flags &= ~CellFlags.Failed;
        if (_extras is not null)
        {
            _extras.FailedMessage = null;
        }

        ResumeChildren();
        ResumeEscalatedChildren(causedByFailure);
    }

    /// <summary>
    /// The children whose failures were escalated are still failed (not just suspended): once this actor is resumed or
    /// restarted without stopping them, they must be resumed with the cause too, or they never process another message.
    /// </summary>
    private void ResumeEscalatedChildren(Exception cause)
    {
        if (_extras?.EscalatedChildren is { } children)
        {
            _extras.EscalatedChildren = null;
            foreach (var child in children)
            {
                child.SendSystemMessage(new Resume(cause));
            }
        }
    }

    private void DoSuspend()
    {
        _suspendedByParent++;
        ForEachChild(static c => c.SendSystemMessage(new Suspend()));
    }

    private void SuspendChildren()
    {
        if ((_flags & CellFlags.ChildrenSuspended) == 0 && _children is { Count: > 0 })
        {
            _flags |= CellFlags.ChildrenSuspended;
            ForEachChild(static c => c.SendSystemMessage(new Suspend()));
        }
    }

    private void ResumeChildren()
    {
        if ((_flags & CellFlags.ChildrenSuspended) != 0)
        {
            _flags &= ~CellFlags.ChildrenSuspended;
            ForEachChild(static c => c.SendSystemMessage(new Resume(null)));
        }
    }

    /// <summary>
    /// Stop: no more user messages; children stop first, then PostStop, then watchers and the parent hear.
    /// <paramref name="inheritedDeadline"/> is the deadline of the stop this one is part of (a stopping parent's).
    /// </summary>
    private void BeginTerminate(long? inheritedDeadline = null)
    {
        if (_lifecycle != Running)
        {
            return;
        }

        CancelStoppingToken();

        if ((_flags & (CellFlags.Awaiting | CellFlags.Held)) != 0)
        {
            // An async handler (or a held turn) is in flight: let it finish (its continuations keep running) before stopping,
            // until the stop's deadline at most. A deadline already passed (a parent that waited for its own handler until its
            // deadline) gives up on it at once: the whole subtree's stop is bounded by one StopTimeout, not one per level.
            _flags |= CellFlags.TerminatePending;
            var deadline = StopDeadline(inheritedDeadline);
            ((_extras ??= new CellExtras()).EndWait ??= new EndWait()).StopDeadline = deadline;
            if (WaitForInFlightUntil(deadline))
            {
                return;
            }

            AbandonInFlight("stops");
            _flags &= ~CellFlags.TerminatePending;
        }

        _lifecycle = Terminating;
        var childrensDeadline = _extras?.EndWait?.StopDeadline ?? inheritedDeadline;
        DisposeStopTimer();

        CancelReceiveTimeout();
        _actor?.CancelTimers();
        if (_extras?.PendingRecreate is not null)
        {
            // A restart still waiting for its children is abandoned: no new instance is made only to be stopped. The failed
            // instance has had its end already (PreRestart, by default its PostStop, and its stash back in the mailbox), so
            // it gets no PostStop again.
            _extras.PendingRecreate = null;
            _actor = null;
        }

        var children = CloseChildren();
        if (children.Length > 0)
        {
            // Children already stopping (stopped by this actor earlier) are told again: one that still waits for its own
            // handler is held to this stop's deadline if that is earlier.
            var deadline = StopDeadline(childrensDeadline);
            foreach (var child in children)
            {
                StopChild(child, deadline);
            }
        }

        if (children.Length == 0)
        {
            FinishTerminate();
        }
    }

    private void FinishTerminate()
    {
        var actor = _actor;
        if (actor is not null)
        {
            try
            {
                actor.AroundPostStop();
            }
            catch (Exception e)
            {
                Logger.LogError(e, "PostStop of {ActorPath} threw", Path);
            }

            actor.StashOrNull?.DrainToDeadLetters();
        }

        // Off the event stream before it counts as terminated: once its parent or a watcher may see it gone, nothing
        // published reaches it as a dead letter.
        _system.EventStream.Unsubscribe(this);
        _lifecycle = Terminated;
        DrainToDeadLetters();
        NotifyWatchers();
        UnwatchAll();
        _actor = null;
        _extras = null;
        _awaiting = null;
        if (_parent is null)
        {
            _system.OnRootTerminated();
        }
        else
        {
            _parent.SendSystemMessage(new ChildTerminated(this));
        }
    }

    private void HandleChildTerminated(ActorCell child)
    {
        if (_children is null || !(_children.Remove(child) || child.NameTakenOver))
        {
            return;
        }

        if (_lifecycle == Running && _extras?.Watch is { } watch && watch.Watching.Remove(child))
        {
            DeliverTerminated(child, existenceConfirmed: true);
        }

        if (_extras?.PendingRecreate is not null && !HasStoppingChildren())
        {
            FinishRecreate();
        }

        if (_lifecycle == Terminating && _children.Count == 0)
        {
            FinishTerminate();
        }
    }
}
