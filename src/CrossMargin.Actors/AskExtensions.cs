using CrossMargin.Actors.Dispatch;

namespace CrossMargin.Actors;

/// <summary>Request/reply from outside an actor (or between actors, sparingly: prefer Tell and a reply message).</summary>
public static class AskExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> with a temporary reply address and completes with the first reply.
    /// A <see cref="Status.Failure"/> reply faults the task with its cause; a reply of another type faults it
    /// with <see cref="InvalidCastException"/>; no reply in time faults it with <see cref="AskTimeoutException"/>
    /// naming the target and the message type; a request that becomes a dead letter at the target (it had stopped, or
    /// stopped with the request still in its mailbox) faults it at once with <see cref="AskTargetStoppedException"/>, a
    /// kind of <see cref="AskTimeoutException"/>. Later replies become dead letters.
    /// </summary>
    /// <param name="target">The actor to ask.</param>
    /// <param name="message">The request.</param>
    /// <param name="timeout">How long to wait; null uses <see cref="ActorSystemOptions.AskTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the wait (the request itself was already sent).</param>
    public static Task<T> Ask<T>(this IActorRef target, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        var system = SystemOf(target);
        var wait = timeout ?? system.Options.AskTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(wait, TimeSpan.Zero, nameof(timeout));
        var promise = new PromiseActorRef<T>(system, target, message, wait);
        promise.Start(cancellationToken);
        target.Tell(message, promise);
        return promise.Task;
    }

    private static ActorSystem SystemOf(IActorRef target) => target switch
    {
        ActorCell cell => cell.System,
        _ => ActorCell.Current?.System
            ?? throw new NotSupportedException($"Ask needs an actor of a running system; {target.Path} is not one."),
    };
}
