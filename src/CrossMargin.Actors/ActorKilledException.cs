namespace CrossMargin.Actors;

/// <summary>Thrown inside an actor that received <see cref="Kill"/>. The default strategy stops it.</summary>
public sealed class ActorKilledException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ActorKilledException() : base("Kill")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ActorKilledException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ActorKilledException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
