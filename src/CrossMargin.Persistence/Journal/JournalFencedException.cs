namespace CrossMargin.Persistence.Journal;

/// <summary>
/// A fenced write was rejected: its writer no longer holds the lease at the epoch it wrote under (or the store cannot
/// check leases). Nothing of the write was appended; the writer must stop, because another node now owns the history.
/// </summary>
public sealed class JournalFencedException : Exception
{
    /// <summary>Creates the exception for <paramref name="write"/>, rejected for <paramref name="reason"/>.</summary>
    public JournalFencedException(AtomicWrite write, string reason)
        : base($"Append of '{write?.PersistenceId}' sequence numbers {write?.FromSequenceNr}..{write?.ToSequenceNr} was fenced off under {write?.Fence}: {reason}.")
    {
        ArgumentNullException.ThrowIfNull(write);
        PersistenceId = write.PersistenceId;
        Fence = write.Fence;
    }

    /// <summary>Creates the exception.</summary>
    public JournalFencedException()
    {
        PersistenceId = "unknown";
    }

    /// <summary>Creates the exception with a message.</summary>
    public JournalFencedException(string message) : base(message)
    {
        PersistenceId = "unknown";
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public JournalFencedException(string message, Exception innerException) : base(message, innerException)
    {
        PersistenceId = "unknown";
    }

    /// <summary>The persistence id whose write was rejected.</summary>
    public string PersistenceId { get; }

    /// <summary>The fence the write carried.</summary>
    public WriteFence? Fence { get; }
}
