namespace CrossMargin.Actors;

/// <summary>
/// An <c>Ask</c> failed at once because its request became a dead letter at its target: the target had stopped, or
/// stopped while the request waited in its mailbox, so no reply can come. The message names the target and the message
/// type.
/// </summary>
/// <remarks>
/// A kind of <see cref="AskTimeoutException"/> (as in Akka.NET, which fails an Ask of a terminated actor with that type):
/// for the caller it means the same (no answer, the request was not handled), so code that treats an unanswered Ask
/// alike needs no change, and it is told without waiting for the timeout.
/// </remarks>
public sealed class AskTargetStoppedException : AskTimeoutException
{
    /// <summary>Creates the exception.</summary>
    public AskTargetStoppedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public AskTargetStoppedException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AskTargetStoppedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
