using Microsoft.Extensions.Logging;

namespace CrossMargin.Actors.Dispatch;

/// <summary>The <see cref="IActorContext"/> handed to an actor; it refuses use from outside the actor's turn.</summary>
internal sealed class ActorContext(ActorCell cell) : IActorContext
{
    private ILogger? _log;

    public IActorRef Self => cell;

    public IActorRef Sender => cell.Sender;

    public IActorRef Parent => cell.Parent ?? (IActorRef)cell;

    public IReadOnlyCollection<IActorRef> Children => cell.ChildRefs;

    public ActorSystem System => cell.System;

    public Props Props => cell.Props;

    // Made once per actor (the context is cached by ActorBase): building the path string per log call would cost more than the call.
    public ILogger Log => _log ??= new ActorLogger(cell.Logger, cell.Path);

    public TimeSpan? ReceiveTimeout => cell.ReceiveTimeout;

    public IActorRef ActorOf(Props props, string? name = null)
    {
        EnsureOnTurn();
        return cell.SpawnChild(props, name);
    }

    public IActorRef? Child(string name) => cell.ChildByName(name);

    public void Stop(IActorRef actor)
    {
        EnsureOnTurn();
        if (ReferenceEquals(actor, cell))
        {
            cell.StopSelf();
        }
        else if (actor is ActorCell child && ReferenceEquals(child.Parent, cell))
        {
            cell.StopChild(child);
        }
        else
        {
            throw new InvalidOperationException($"{cell.Path} can stop itself or its children, not {actor.Path}; send it a PoisonPill or use ActorSystem.Stop.");
        }
    }

    public IActorRef Watch(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        EnsureOnTurn();
        cell.WatchActor(actor);
        return actor;
    }

    public IActorRef Unwatch(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        EnsureOnTurn();
        cell.UnwatchActor(actor);
        return actor;
    }

    public void Become(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        EnsureOnTurn();
        cell.Actor!.Become(receive, discardOld: true);
    }

    public void BecomeStacked(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        EnsureOnTurn();
        cell.Actor!.Become(receive, discardOld: false);
    }

    public void UnbecomeStacked()
    {
        EnsureOnTurn();
        cell.Actor!.Unbecome();
    }

    public void SetReceiveTimeout(TimeSpan? timeout)
    {
        EnsureOnTurn();
        cell.SetReceiveTimeout(timeout);
    }

    private void EnsureOnTurn()
    {
        if (!ReferenceEquals(ActorCell.Current, cell))
        {
            throw new InvalidOperationException(
                $"The context of {cell.Path} was used outside its turn (from another thread, or after ConfigureAwait(false)).");
        }
    }
}
