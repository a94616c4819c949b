namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// Lifecycle and supervision signals. They overtake user messages: the cell drains them before each user
/// message. Each instance is sent once (its <see cref="Next"/> link belongs to the receiving inbox).
/// </summary>
internal abstract class SystemMessage
{
    public SystemMessage? Next;
}

/// <summary>Stop the actor (and its children first).</summary>
/// <param name="deadline">
/// The deadline (a <see cref="TimeProvider"/> timestamp) of the stop this one is part of: a parent that stops passes its own
/// to its children, so a whole subtree is bounded by one <see cref="ActorSystemOptions.StopTimeout"/>. Null for a stop of
/// its own, which gets a fresh one when it must wait.
/// </param>
internal sealed class Terminate(long? deadline = null) : SystemMessage
{
    public long? Deadline { get; } = deadline;
}

internal sealed class Suspend : SystemMessage;

/// <summary>Resume after a supervisor's Resume directive (<see cref="CausedByFailure"/> set) or after the parent resumed.</summary>
internal sealed class Resume(Exception? causedByFailure) : SystemMessage
{
    public Exception? CausedByFailure { get; } = causedByFailure;
}

internal sealed class Recreate(Exception cause) : SystemMessage
{
    public Exception Cause { get; } = cause;
}

internal sealed class Failed(ActorCell child, Exception cause) : SystemMessage
{
    public ActorCell Child { get; } = child;

    public Exception Cause { get; } = cause;
}

internal sealed class Watch(ActorCell watcher) : SystemMessage
{
    public ActorCell Watcher { get; } = watcher;
}

internal sealed class Unwatch(ActorCell watcher) : SystemMessage
{
    public ActorCell Watcher { get; } = watcher;
}

internal sealed class DeathWatchNotification(IActorRef actor, bool existenceConfirmed) : SystemMessage
{
    public IActorRef Actor { get; } = actor;

    public bool ExistenceConfirmed { get; } = existenceConfirmed;
}

internal sealed class ChildTerminated(ActorCell child) : SystemMessage
{
    public ActorCell Child { get; } = child;
}

internal sealed class AsyncCompleted(Task task, ActorSynchronizationContext context) : SystemMessage
{
    public Task Task { get; } = task;

    /// <summary>The handler's context: a completion whose context is no longer the one awaited was abandoned by a stop.</summary>
    public ActorSynchronizationContext Context { get; } = context;
}

/// <summary>A stop or restart has waited until its deadline (<see cref="ActorSystemOptions.StopTimeout"/>) for an async handler or held mailbox.</summary>
internal sealed class StopTimedOut : SystemMessage;

internal sealed class RunContinuation(SendOrPostCallback callback, object? state, ActorSynchronizationContext context) : SystemMessage
{
    public SendOrPostCallback Callback { get; } = callback;

    public object? State { get; } = state;

    /// <summary>The context it was posted through: its handler's message and sender.</summary>
    public ActorSynchronizationContext Context { get; } = context;
}
