namespace CrossMargin.Actors;

/// <summary>
/// An <c>Ask</c> got no reply in time, or (as <see cref="AskTargetStoppedException"/>) will get none because its target
/// stopped before handling the request. The message names the target and the message type.
/// </summary>
public class AskTimeoutException : TimeoutException
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
