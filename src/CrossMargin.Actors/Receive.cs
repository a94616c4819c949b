namespace CrossMargin.Actors;

/// <summary>A behaviour: handles a message and says whether it did.</summary>
/// <param name="message">The message being processed.</param>
/// <returns>True when handled; false sends it to <see cref="ActorBase.Unhandled"/>.</returns>
public delegate bool Receive(object message);
