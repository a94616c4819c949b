namespace CrossMargin.Actors.Events;

/// <summary>A message an actor received but no behaviour handled.</summary>
/// <param name="Message">What was sent.</param>
/// <param name="Sender">Who sent it, if known.</param>
/// <param name="Recipient">The actor that did not handle it.</param>
public sealed record UnhandledMessage(object Message, IActorRef? Sender, IActorRef Recipient);
