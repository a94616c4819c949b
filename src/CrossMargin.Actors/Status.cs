namespace CrossMargin.Actors;

/// <summary>Conventional replies that carry an outcome rather than a value; <c>Ask</c> turns a failure into a faulted task.</summary>
public abstract record Status
{
    private Status()
    {
    }

    /// <summary>The request succeeded.</summary>
    /// <param name="Value">An optional result.</param>
    public sealed record Success(object? Value) : Status;

    /// <summary>The request failed; <c>Ask</c> rethrows <paramref name="Cause"/>.</summary>
    /// <param name="Cause">Why.</param>
    public sealed record Failure(Exception Cause) : Status;
}
