using CrossMargin.Actors.Dispatch;

namespace CrossMargin.Actors;

/// <summary>Sending with an implicit sender, as Akka.NET does.</summary>
public static class ActorRefExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> with the current actor as the sender when called on an actor's turn,
    /// and with no sender otherwise.
    /// </summary>
    public static void Tell(this IActorRef receiver, object message)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        receiver.Tell(message, ActorCell.Current);
    }

    /// <summary>
    /// Sends <paramref name="message"/> keeping the original sender of the message being processed, so the
    /// receiver replies straight to it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called outside an actor's turn.</exception>
    public static void Forward(this IActorRef receiver, object message)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        var current = ActorCell.Current
            ?? throw new InvalidOperationException("Forward is only meaningful while an actor processes a message; use Tell with an explicit sender.");
        receiver.Tell(message, current.CurrentSender);
    }
}
