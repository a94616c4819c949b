namespace CrossMargin.Persistence.Journal;

/// <summary>A <see cref="JournalCircuitBreaker"/> moved from one state to another.</summary>
public sealed class CircuitStateChangedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    public CircuitStateChangedEventArgs(CircuitState previous, CircuitState current, Exception? cause)
    {
        Previous = previous;
        Current = current;
        Cause = cause;
    }

    /// <summary>The state before.</summary>
    public CircuitState Previous { get; }

    /// <summary>The state now.</summary>
    public CircuitState Current { get; }

    /// <summary>The failure that opened the breaker, when it opened.</summary>
    public Exception? Cause { get; }
}
