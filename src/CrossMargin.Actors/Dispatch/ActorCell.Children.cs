namespace CrossMargin.Actors.Dispatch;

/// <summary>Starting, finding and stopping children.</summary>
internal sealed partial class ActorCell
{
    internal IReadOnlyCollection<IActorRef> ChildRefs => _children?.Snapshot() ?? [];

    internal ActorCell? ChildByName(string name) => _children?.Get(name) is { IsTerminated: false } child ? child : null;

    internal ActorCell SpawnChild(Props props, string? name)
    {
        ArgumentNullException.ThrowIfNull(props);
        var children = _children ?? Interlocked.CompareExchange(ref _children, new ChildrenContainer(), null) ?? _children!;
        if (name is not null)
        {
            ValidateName(name);
        }

        if (IsStopping())
        {
            throw Refused(props, name);
        }

        _system.BeforeChildAdded?.Invoke(this);

        var child = name is null ? new ActorCell(_system, this, props, null, children.NextId()) : new ActorCell(_system, this, props, name);

        // The check that matters for a spawn from another thread (the system's ActorOf), which can race this parent's
        // stop: made under the lock the stop closes the children with, so the child is either among the ones the stop
        // stops or refused here, never added after the stop took its children.
        switch (children.TryAdd(child))
        {
            case AddOutcome.Closed:
                throw Refused(props, name);
            case AddOutcome.NameTaken:
                throw new InvalidActorNameException($"Actor name [{name}] is not unique under {Path}: a live actor already has it.");
        }

        child.Start();
        return child;
    }

    /// <summary>
    /// A stopping actor's last look at its children: closes them to new ones and returns the ones to stop. A parent that
    /// never had one gets the shared closed container (no allocation per stopped actor), set by a compare-and-swap that a
    /// spawn making the first container at the same moment would see or win.
    /// </summary>
    private ActorCell[] CloseChildren()
    {
        var children = _children ?? Interlocked.CompareExchange(ref _children, ChildrenContainer.ClosedEmpty, null);
        return children is null || ReferenceEquals(children, ChildrenContainer.ClosedEmpty) ? [] : children.Close();
    }

    /// <summary>
    /// Stopping: terminating, or (asked on this actor's own turn) a stop waits for an async handler or held mailbox to
    /// finish. A child created now would only be stopped at once, after its constructor and PreStart had begun what it
    /// does (a recovery, timers, subscriptions), so it is refused instead, as Akka.NET refuses it.
    /// </summary>
    private bool IsStopping() => _lifecycle != Running || (ReferenceEquals(CurrentCell, this) && (_flags & CellFlags.TerminatePending) != 0);

    private InvalidOperationException Refused(Props props, string? name) =>
        new($"Cannot create {props.ActorType.Name} [{name ?? "(a generated name)"}] under {Path}: {Path} is stopping.");

    /// <summary>Schedules the first turn, which creates the actor (constructor, then PreStart).</summary>
    internal void Start()
    {
        // The creation is work in flight until the first turn has run it (see RunTurn).
        _system.Activity?.Begin();
        Schedule();
    }

    /// <summary>Stops a child; <paramref name="deadline"/> is this actor's own stop's, when the child stops because this one does.</summary>
    internal void StopChild(ActorCell child, long? deadline = null)
    {
        if (!ReferenceEquals(child._parent, this))
        {
            throw new InvalidOperationException($"{child.Path} is not a child of {Path}.");
        }

        child.StoppingByParent = true;
        child.SendSystemMessage(new Terminate(deadline));
    }

    /// <summary>Stops this actor after the message it is processing (the request goes through its system inbox).</summary>
    internal void StopSelf() => SendSystemMessage(new Terminate());

    private bool HasStoppingChildren()
    {
        if (_children is null)
        {
            return false;
        }

        foreach (var child in _children.Snapshot())
        {
            if (child.StoppingByParent)
            {
                return true;
            }
        }

        return false;
    }

    private void ForEachChild(Action<ActorCell> action)
    {
        if (_children is null)
        {
            return;
        }

        foreach (var child in _children.Snapshot())
        {
            action(child);
        }
    }

    private static void ValidateName(string name)
    {
        if (name.Length == 0)
        {
            throw new InvalidActorNameException("Actor names must not be empty.");
        }

        if (name[0] == '$')
        {
            throw new InvalidActorNameException($"Actor name [{name}] must not start with '$' (reserved for generated names).");
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "-_.*$+:@&=,!~';".Contains(c, StringComparison.Ordinal)))
            {
                throw new InvalidActorNameException(
                    $"Actor name [{name}] contains '{c}'; use ASCII letters, digits and -_.*$+:@&=,!~';");
            }
        }
    }
}
