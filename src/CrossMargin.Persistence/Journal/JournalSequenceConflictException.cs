namespace CrossMargin.Persistence.Journal;

/// <summary>
/// A write was rejected because a sequence number of its persistence id is already taken: another writer owns the
/// history (split brain, or a second incarnation of the actor). The history is intact; the writer must stop.
/// </summary>
public sealed class JournalSequenceConflictException : Exception
{
    /// <summary>Creates the exception for a conflict on <paramref name="persistenceId"/> at <paramref name="sequenceNr"/>.</summary>
    public JournalSequenceConflictException(string persistenceId, long sequenceNr, string writerId, Exception? innerException = null)
        : base($"Sequence number conflict: persistence id '{persistenceId}' already has an event at or after sequence number {sequenceNr}; writer '{writerId}' was rejected and must stop (another writer owns this history).", innerException)
    {
        PersistenceId = persistenceId;
        SequenceNr = sequenceNr;
        WriterId = writerId;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public JournalSequenceConflictException() : this("unknown", 0, "unknown")
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    public JournalSequenceConflictException(string message) : base(message)
    {
        PersistenceId = "unknown";
        WriterId = "unknown";
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public JournalSequenceConflictException(string message, Exception innerException) : base(message, innerException)
    {
        PersistenceId = "unknown";
        WriterId = "unknown";
    }

    /// <summary>The persistence id whose history is owned by another writer.</summary>
    public string PersistenceId { get; }

    /// <summary>The first sequence number of the rejected write.</summary>
    public long SequenceNr { get; }

    /// <summary>The rejected writer.</summary>
    public string WriterId { get; }
}
