using CrossMargin.Actors.Dispatch;
using CrossMargin.Actors.Scheduling;
using CrossMargin.Actors.Supervision;

namespace CrossMargin.Actors;

/// <summary>
/// The base of every actor. An instance is only ever called by one thread at a time, so its fields need no
/// locks; it is created by <see cref="Props"/> through <c>ActorOf</c>, never with <c>new</c> by user code.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    // Behaviours, timers and stash in one object made on first use: most actors use none of them, and three
    // fields on every instance cost a million actors 24 MB.
    private Extras? _extras;

    /// <summary>Binds the instance to the cell that is creating it.</summary>
    /// <exception cref="ActorInitializationException">The actor was created with <c>new</c> instead of through <c>ActorOf</c>.</exception>
    protected ActorBase()
    {
        _cell = ActorCell.TakeConstructingCell()
            ?? throw new ActorInitializationException(
                $"{GetType().Name} was created with 'new'. Actors are created by ActorOf(Props.Create(() => new {GetType().Name}(...))).");
    }

    /// <summary>This actor's reference.</summary>
    protected IActorRef Self => _cell;

    /// <summary>The sender of the message being processed (the dead-letter reference when there is none).</summary>
    protected IActorRef Sender => _cell.Sender;

    /// <summary>The actor's context; valid only on its own turn.</summary>
    protected IActorContext Context => _cell;

    /// <summary>Keyed timers owned by this actor; all are cancelled when it stops or restarts.</summary>
    protected ITimerScheduler Timers => (_extras ??= new Extras()).Timers ??= new TimerScheduler(_cell);

    /// <summary>This actor's stash.</summary>
    protected IStash Stash => (_extras ??= new Extras()).Stash ??= new ActorStash(_cell);

    internal ActorCell Cell => _cell;

    internal ActorStash? StashOrNull => _extras?.Stash;

    /// <summary>Handles a message; return false for messages this actor does not understand.</summary>
    protected internal abstract bool Receive(object message);

    /// <summary>Runs once after construction, before the first message.</summary>
    protected virtual void PreStart()
    {
    }

    /// <summary>Runs once after the actor stopped processing messages and its children have stopped.</summary>
    protected virtual void PostStop()
    {
    }

    /// <summary>
    /// Runs on the failed instance before it is replaced. The default unwatches and stops every child and calls
    /// <see cref="PostStop"/>, as Akka.NET's does.
    /// </summary>
    /// <param name="reason">The failure.</param>
    /// <param name="message">The message being processed when it failed, if any.</param>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
        {
            // Unwatched first: the new instance never watched these children, so their Terminated would reach it as a
            // stranger's (unhandled, a DeathPactException that stops it).
            Context.Unwatch(child);
            Context.Stop(child);
        }

        PostStop();
    }

    /// <summary>Runs on the fresh instance after a restart. The default calls <see cref="PreStart"/>.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>How this actor supervises its children. Defaults to the Props' strategy, else <see cref="SupervisorStrategy.Default"/>.</summary>
    protected virtual SupervisorStrategy SupervisorStrategy() => _cell.Props.SupervisorStrategy ?? Supervision.SupervisorStrategy.Default;

    /// <summary>
    /// Called for messages no behaviour handled. An unhandled <see cref="Terminated"/> throws
    /// <see cref="DeathPactException"/>; anything else is published as <see cref="Events.UnhandledMessage"/>.
    /// </summary>
    protected virtual void Unhandled(object message)
    {
        if (message is Terminated terminated)
        {
            throw new DeathPactException($"{_cell.Path} watched {terminated.ActorRef.Path} but did not handle its Terminated.");
        }

        _cell.System.PublishUnhandled(message, _cell.CurrentSender, _cell);
    }

    internal virtual void OnConstructed()
    {
    }

    internal void AroundReceive(object message)
    {
        var behaviors = _extras?.Behaviors;
        var handled = behaviors is null || behaviors.Count == 0 ? Receive(message) : behaviors[^1](message);
        if (!handled)
        {
            Unhandled(message);
        }
    }

    /// <summary>Wraps <see cref="PreStart"/>; base classes such as persistent actors extend it (call the base).</summary>
    protected internal virtual void AroundPreStart() => PreStart();

    internal void AroundPostStop()
    {
        CancelTimers();
        PostStop();
    }

    internal void AroundPreRestart(Exception reason, object? message)
    {
        CancelTimers();
        PreRestart(reason, message);
    }

    /// <summary>Wraps <see cref="PostRestart"/>; base classes such as persistent actors extend it (call the base).</summary>
    protected internal virtual void AroundPostRestart(Exception reason) => PostRestart(reason);

    /// <summary>
    /// Runs <paramref name="action"/> holding the mailbox, as a <c>ReceiveAsync</c> handler does: no other message
    /// is processed until its task completes, and its continuations run on this actor's turn. Call it only on the
    /// actor's turn (a handler or lifecycle hook); a faulted task is a failure the supervisor handles.
    /// </summary>
    protected void RunTask(Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (!ReferenceEquals(ActorCell.Current, _cell))
        {
            throw new InvalidOperationException($"RunTask for {_cell.Path} was called outside the actor's turn.");
        }

        _cell.RunAsync(static start => start(), action);
    }

    /// <summary>
    /// <see cref="RunTask(Func{Task})"/> with the handler's state passed in rather than captured, so a static lambda
    /// allocates no closure (for actors that run one per message).
    /// </summary>
    protected void RunTask<TState>(Func<TState, Task> action, TState state)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (!ReferenceEquals(ActorCell.Current, _cell))
        {
            throw new InvalidOperationException($"RunTask for {_cell.Path} was called outside the actor's turn.");
        }

        _cell.RunAsync(action, state);
    }

    /// <summary>
    /// Holds the mailbox, as <see cref="RunTask(Func{Task})"/> does, until the returned callback reports an outcome (null for
    /// success), then calls <paramref name="then"/> with the state and that outcome on this actor's turn, with the current
    /// message and sender current again. For an outcome that something else reports (a write completing on another thread):
    /// resuming posts one system message, with no task, continuation or synchronization context in between. Call it on the
    /// actor's turn, one hold at a time; the callback must be called exactly once, from any thread. A throwing
    /// <paramref name="then"/> is a failure the supervisor handles.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not on the actor's turn, or the mailbox is already held this way.</exception>
    protected Action<Exception?> HoldMailbox<TState>(Action<TState, Exception?> then, TState state)
    {
        ArgumentNullException.ThrowIfNull(then);
        if (!ReferenceEquals(ActorCell.Current, _cell))
        {
            throw new InvalidOperationException($"HoldMailbox for {_cell.Path} was called outside the actor's turn.");
        }

        return _cell.Hold(then, state).Resume;
    }

    internal SupervisorStrategy StrategyForChildren() => SupervisorStrategy();

    internal void CancelTimers() => _extras?.Timers?.CancelAll();

    internal bool AcceptTimerMessage(TimerMessage message) => _extras?.Timers is { } timers && timers.Accept(message);

    internal void Become(Receive receive, bool discardOld)
    {
        var behaviors = (_extras ??= new Extras()).Behaviors ??= new List<Receive>(2);
        if (discardOld && behaviors.Count > 0)
        {
            behaviors.Clear();
        }

        behaviors.Add(receive);
    }

    internal void Unbecome()
    {
        if (_extras?.Behaviors is { Count: > 0 } behaviors)
        {
            behaviors.RemoveAt(behaviors.Count - 1);
        }
    }

    private sealed class Extras
    {
        public List<Receive>? Behaviors;
        public TimerScheduler? Timers;
        public ActorStash? Stash;
    }
}
