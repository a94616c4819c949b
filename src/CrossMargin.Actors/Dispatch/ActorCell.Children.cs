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

        var child = name is null ? new ActorCell(_system, this, props, null, children.NextId()) : new ActorCell(_system, this, props, name);
        // A name is free once its holder has terminated, though this parent may not have processed its end yet: its
        // watchers are told only after it terminated, so one of them may re-create it by name at once.
        if (!children.TryAdd(child) && !children.TryTakeOverTerminated(child))
        {
            throw new InvalidActorNameException($"Actor name [{name}] is not unique under {Path}: a live actor already has it.");
        }

        if (_lifecycle != Running)
        {
            // This parent began stopping between the check and the add (a spawn from another thread: the system's
            // ActorOf). The child may be in the children it waits for, so it must end, but it never starts: no
            // constructor, no PreStart; its first turn stops it and tells this parent.
            // Not Start: that counts a creation (ActivityCounter) only a create ends; the stop schedules the turn itself.
            child._flags &= ~CellFlags.CreatePending;
            child.SendSystemMessage(new Terminate());
            throw Refused(props, name);
        }

        child.Start();
        return child;
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
