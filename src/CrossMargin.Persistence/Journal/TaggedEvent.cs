namespace CrossMargin.Persistence.Journal;

/// <summary>An event read from a tagged stream.</summary>
/// <param name="Tag">The tag the stream follows.</param>
/// <param name="Offset">The event's <see cref="PersistentRepresentation.Ordering"/>: resume the stream after it.</param>
/// <param name="Event">The event.</param>
public sealed record TaggedEvent(string Tag, long Offset, PersistentRepresentation Event);
