namespace CrossMargin.Actors.Events;

/// <summary>A message that could not be delivered (its recipient had stopped, or it was sent to dead letters).</summary>
/// <param name="Message">What was sent.</param>
/// <param name="Sender">Who sent it, if known.</param>
/// <param name="Recipient">Where it was going.</param>
public sealed record DeadLetter(object Message, IActorRef? Sender, IActorRef Recipient);
