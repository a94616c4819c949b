using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Actors;

/// <summary>
/// The actor's view of itself and the system while it processes a message. Valid only on the actor's own
/// turn (inside Receive, lifecycle hooks and continuations of <c>ReceiveAsync</c> handlers); never capture it
/// for use from another thread.
/// </summary>
public interface IActorContext : IActorRefFactory
{
    /// <summary>This actor's own reference.</summary>
    IActorRef Self { get; }

    /// <summary>The sender of the message being processed, or the dead-letter reference when there was none.</summary>
    IActorRef Sender { get; }

    /// <summary>The supervisor.</summary>
    IActorRef Parent { get; }

    /// <summary>The live children (a snapshot).</summary>
    IReadOnlyCollection<IActorRef> Children { get; }

    /// <summary>The system this actor belongs to.</summary>
    ActorSystem System { get; }

    /// <summary>The props this actor was created from (and is recreated from on restart).</summary>
    Props Props { get; }

    /// <summary>A logger for this actor; each entry carries the actor's path in its scope.</summary>
    ILogger Log { get; }

    /// <summary>The live child called <paramref name="name"/>, or null.</summary>
    IActorRef? Child(string name);

    /// <summary>
    /// Stops <paramref name="actor"/> (this actor or one of its children) after the message it is processing:
    /// its children stop first, then its <c>PostStop</c> runs, and what is left in its mailbox becomes dead letters.
    /// </summary>
    [SuppressMessage("Naming", "CA1716", Justification = "Akka.NET's name; C# is the only consumer.")]
    void Stop(IActorRef actor);

    /// <summary>
    /// Asks for a <see cref="Terminated"/> message when <paramref name="actor"/> stops; delivered at once if it
    /// has already stopped. Watching twice has no further effect.
    /// </summary>
    IActorRef Watch(IActorRef actor);

    /// <summary>Cancels <see cref="Watch"/>; a <see cref="Terminated"/> not yet processed is dropped.</summary>
    IActorRef Unwatch(IActorRef actor);

    /// <summary>Replaces the current behaviour with <paramref name="receive"/> (discarding any stacked ones).</summary>
    void Become(Receive receive);

    /// <summary>Pushes <paramref name="receive"/> on top of the current behaviour.</summary>
    void BecomeStacked(Receive receive);

    /// <summary>Pops the behaviour pushed last; with nothing stacked, reverts to the actor's <c>Receive</c>.</summary>
    void UnbecomeStacked();

    /// <summary>
    /// After <paramref name="timeout"/> without a user message, sends <see cref="ReceiveTimeout"/> to this actor
    /// (again after each further idle period). Null turns it off. Messages implementing
    /// <see cref="INotInfluenceReceiveTimeout"/> do not reset it; the time spent handling any other message (an async
    /// handler or a held mailbox until it resumes) is not idle.
    /// </summary>
    void SetReceiveTimeout(TimeSpan? timeout);

    /// <summary>The current receive timeout, or null when off.</summary>
    TimeSpan? ReceiveTimeout { get; }

    /// <summary>
    /// Cancelled when this instance's end begins: a stop, or a restart (the next instance gets a fresh token). Pass it to what
    /// a <c>ReceiveAsync</c> handler awaits, so that handler ends on its turn, its <c>finally</c> blocks included, as soon
    /// as the actor is asked to stop, rather than being abandoned at <see cref="ActorSystemOptions.StopTimeout"/> (an
    /// abandoned handler's rest, <c>finally</c> blocks and <c>using</c> disposals included, never runs). Callbacks
    /// registered on it run on the actor's turn when it is cancelled. A handler that lets the cancellation escape has not
    /// failed: its supervisor is not told.
    /// </summary>
    CancellationToken StoppingToken { get; }
}
