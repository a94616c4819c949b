namespace CrossMargin.Persistence.Journal;

/// <summary>
/// An append did not become durable for a reason other than a sequence conflict: the store failed, the call timed
/// out (then the write may or may not have committed: recovery will tell), or an earlier write of the same id in
/// the batch was rejected.
/// </summary>
public sealed class JournalWriteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JournalWriteException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public JournalWriteException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public JournalWriteException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
