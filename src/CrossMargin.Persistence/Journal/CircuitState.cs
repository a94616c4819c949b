namespace CrossMargin.Persistence.Journal;

/// <summary>State of a <see cref="JournalCircuitBreaker"/>.</summary>
public enum CircuitState
{
    /// <summary>Calls go through; consecutive failures are counted.</summary>
    Closed,

    /// <summary>Calls fail fast with <see cref="JournalCircuitOpenException"/> until the reset timeout has passed.</summary>
    Open,

    /// <summary>One trial call goes through: success closes the breaker, failure opens it again.</summary>
    HalfOpen,
}
