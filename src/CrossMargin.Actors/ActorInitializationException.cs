namespace CrossMargin.Actors;

/// <summary>An actor's constructor, <c>PreStart</c> or <c>PostRestart</c> threw. The default strategy stops it.</summary>
public sealed class ActorInitializationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ActorInitializationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ActorInitializationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ActorInitializationException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
