namespace CrossMargin.Persistence.Journal;

/// <summary>An event as stored in the journal.</summary>
/// <param name="PersistenceId">The entity the event belongs to.</param>
/// <param name="SequenceNr">Position in the entity's history, from 1, without gaps.</param>
/// <param name="Ordering">Position in the whole journal: increases with commit order, so tagged streams never reorder.</param>
/// <param name="Payload">The serialized event.</param>
/// <param name="Tags">The event's tags.</param>
/// <param name="WriterId">Who wrote it.</param>
/// <param name="Timestamp">When the journal wrote it (from its <see cref="TimeProvider"/>).</param>
public sealed record PersistentRepresentation(
    string PersistenceId,
    long SequenceNr,
    long Ordering,
    SerializedPayload Payload,
    IReadOnlyList<string> Tags,
    string WriterId,
    DateTimeOffset Timestamp);
