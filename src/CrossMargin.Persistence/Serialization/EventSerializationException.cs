namespace CrossMargin.Persistence.Serialization;

/// <summary>A payload could not be turned into an object or back: unknown manifest or type, a version from the future, or bad bytes.</summary>
public sealed class EventSerializationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EventSerializationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public EventSerializationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public EventSerializationException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
