namespace CrossMargin.Actors;

/// <summary>An actor name is malformed, reserved, or taken by a live sibling.</summary>
public sealed class InvalidActorNameException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public InvalidActorNameException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidActorNameException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidActorNameException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
