namespace CrossMargin.Actors;

/// <summary>
/// An actor did not handle the <see cref="Terminated"/> of an actor it watched: it depended on it and cannot go
/// on. The default strategy stops it.
/// </summary>
public sealed class DeathPactException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeathPactException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public DeathPactException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DeathPactException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
