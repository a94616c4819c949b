namespace CrossMargin.Actors;

/// <summary>An <c>Ask</c> got no reply in time. The message names the target and the message type.</summary>
public sealed class AskTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public AskTimeoutException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public AskTimeoutException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AskTimeoutException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
