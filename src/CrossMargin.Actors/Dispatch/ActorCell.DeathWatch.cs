namespace CrossMargin.Actors.Dispatch;

/// <summary>Death watch: who hears when whom stops.</summary>
internal sealed partial class ActorCell
{
    internal void WatchActor(IActorRef target)
    {
        if (ReferenceEquals(target, this))
        {
            return;
        }

        var watching = ((_extras ??= new CellExtras()).Watch ??= new DeathWatchState()).Watching;
        if (!watching.Add(target))
        {
            return;
        }

        switch (target)
        {
            case ActorCell cell:
                cell.SendSystemMessage(new Watch(this));
                break;
            case IUndeliverable:
                SendSystemMessage(new DeathWatchNotification(target, existenceConfirmed: false));
                break;
            default:
                watching.Remove(target);
                throw new NotSupportedException($"{target.GetType().Name} ({target.Path}) cannot be watched; only actors can.");
        }
    }

    internal void UnwatchActor(IActorRef target)
    {
        if (_extras?.Watch is not { } watch)
        {
            return;
        }

        if (watch.Watching.Remove(target) && target is ActorCell cell)
        {
            cell.SendSystemMessage(new Unwatch(this));
        }

        // A Terminated already queued for this target is no longer wanted: it is dropped when dequeued (the
        // target left Watching when its notification queued it, so this must not depend on the removal above).
        watch.TerminatedQueued.Remove(target);
    }

    /// <summary>Whether a dequeued Terminated is still wanted (queued by death watch and not unwatched since).</summary>
    private bool AcceptTerminated(Terminated terminated) =>
        _extras?.Watch is { } watch && watch.TerminatedQueued.Remove(terminated.ActorRef);

    private void AddWatcher(ActorCell watcher)
    {
        if (_lifecycle == Terminated)
        {
            // Handled in the same batch as (and after) our Terminate: the watchers were already notified.
            watcher.SendSystemMessage(new DeathWatchNotification(this, existenceConfirmed: false));
            return;
        }

        // The parent is not recorded: it hears of this actor's end through ChildTerminated (NotifyWatchers skips it), and
        // recording it would give every watched child (a shard's entities: a million accounts) its own CellExtras and
        // watch sets, some 450 bytes, for nothing.
        if (!ReferenceEquals(watcher, this) && !ReferenceEquals(watcher, _parent))
        {
            ((_extras ??= new CellExtras()).Watch ??= new DeathWatchState()).WatchedBy.Add(watcher);
        }
    }

    private void WatchedActorTerminated(IActorRef actor, bool existenceConfirmed)
    {
        if (_lifecycle == Running && _extras?.Watch is { } watch && watch.Watching.Remove(actor))
        {
            DeliverTerminated(actor, existenceConfirmed);
        }
    }

    /// <summary>
    /// Terminated joins the end of the mailbox, as in Akka.NET: every message the dead actor sent before it stopped
    /// is processed before its Terminated.
    /// </summary>
    private void DeliverTerminated(IActorRef actor, bool existenceConfirmed)
    {
        ((_extras ??= new CellExtras()).Watch ??= new DeathWatchState()).TerminatedQueued.Add(actor);
        Tell(new QueuedTerminated(new Terminated(actor, existenceConfirmed)), actor);
    }

    private void NotifyWatchers()
    {
        if (_extras?.Watch is not { } watch)
        {
            return;
        }

        foreach (var watcher in watch.WatchedBy)
        {
            // The parent hears through ChildTerminated, which also frees the name before it sees Terminated.
            if (!ReferenceEquals(watcher, _parent))
            {
                watcher.SendSystemMessage(new DeathWatchNotification(this, existenceConfirmed: true));
            }
        }

        watch.WatchedBy.Clear();
    }

    private void UnwatchAll()
    {
        if (_extras?.Watch is not { } watch)
        {
            return;
        }

        foreach (var target in watch.Watching)
        {
            if (target is ActorCell cell)
            {
                cell.SendSystemMessage(new Unwatch(this));
            }
        }

        watch.Watching.Clear();
    }
}
