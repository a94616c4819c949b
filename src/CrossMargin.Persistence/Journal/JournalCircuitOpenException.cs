namespace CrossMargin.Persistence.Journal;

/// <summary>The journal's circuit breaker is open after repeated store failures: appends fail fast until it half-opens.</summary>
public sealed class JournalCircuitOpenException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JournalCircuitOpenException() : base("The journal circuit breaker is open: the store failed repeatedly, appends fail fast until it is retried.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public JournalCircuitOpenException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public JournalCircuitOpenException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
