using Microsoft.Extensions.Logging;

namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// The cell is its actor's <see cref="IActorContext"/>: a context object of its own, and the field that kept it, cost
/// every actor ~80 bytes (a million accounts: 80 MB). Members that act refuse use from outside the actor's turn.
/// </summary>
internal sealed partial class ActorCell : IActorContext
{
    IActorRef IActorContext.Self => this;

    IActorRef IActorContext.Sender => Sender;

    IActorRef IActorContext.Parent => _parent ?? (IActorRef)this;

    IReadOnlyCollection<IActorRef> IActorContext.Children => ChildRefs;

    ActorSystem IActorContext.System => _system;

    Props IActorContext.Props => _props;

    // Made once per actor: building the path string per log call would cost more than the call.
    ILogger IActorContext.Log => (_extras ??= new CellExtras()).Log ??= new ActorLogger(Logger, Path);

    TimeSpan? IActorContext.ReceiveTimeout => ReceiveTimeout;

    IActorRef IActorRefFactory.ActorOf(Props props, string? name)
    {
        EnsureOnTurn();
        return SpawnChild(props, name);
    }

    IActorRef? IActorContext.Child(string name) => ChildByName(name);

    void IActorContext.Stop(IActorRef actor)
    {
        EnsureOnTurn();
        if (ReferenceEquals(actor, this))
        {
            StopSelf();
        }
        else if (actor is ActorCell child && ReferenceEquals(child.Parent, this))
        {
            StopChild(child);
        }
        else
        {
            throw new InvalidOperationException($"{Path} can stop itself or its children, not {actor.Path}; send it a PoisonPill or use ActorSystem.Stop.");
        }
    }

    IActorRef IActorContext.Watch(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        EnsureOnTurn();
        WatchActor(actor);
        return actor;
    }

    IActorRef IActorContext.Unwatch(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        EnsureOnTurn();
        UnwatchActor(actor);
        return actor;
    }

    void IActorContext.Become(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        EnsureOnTurn();
        _actor!.Become(receive, discardOld: true);
    }

    void IActorContext.BecomeStacked(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        EnsureOnTurn();
        _actor!.Become(receive, discardOld: false);
    }

    void IActorContext.UnbecomeStacked()
    {
        EnsureOnTurn();
        _actor!.Unbecome();
    }

    void IActorContext.SetReceiveTimeout(TimeSpan? timeout)
    {
        EnsureOnTurn();
        SetReceiveTimeout(timeout);
    }

    CancellationToken IActorContext.StoppingToken
    {
        get
        {
            // Made on first use (most actors never ask), on the turn that owns the extras. Asked first once the end has begun
            // (in PreRestart or PostStop), it is cancelled already: no source is made for it.
            EnsureOnTurn();
            if (_extras?.Stopping is { } stopping)
            {
                return stopping.Token;
            }

            return (_flags & CellFlags.Ending) != 0 || _lifecycle != Running
                ? new CancellationToken(canceled: true)
                : ((_extras ??= new CellExtras()).Stopping = new CancellationTokenSource()).Token;
        }
    }

    /// <summary>This instance's end has begun (a stop or a restart): handlers that await with its stopping token end now.</summary>
    private void CancelStoppingToken()
    {
        _flags |= CellFlags.Ending;
        if (_extras?.Stopping is not { IsCancellationRequested: false } stopping)
        {
            return;
        }

        try
        {
            stopping.Cancel();
        }
        catch (AggregateException e)
        {
            Logger.LogError(e, "A callback registered on the stopping token of {ActorPath} threw", Path);
        }
    }

    private void EnsureOnTurn()
    {
        if (!ReferenceEquals(CurrentCell, this))
        {
            throw new InvalidOperationException(
                $"The context of {Path} was used outside its turn (from another thread, or after ConfigureAwait(false)).");
        }
    }
}
