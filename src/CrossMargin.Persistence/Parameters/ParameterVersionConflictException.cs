namespace CrossMargin.Persistence.Parameters;

/// <summary>
/// An append expected the slot's newest version to be <see cref="Expected"/> but another writer got there first: the
/// caller decided against parameters that are no longer the ones in force, and must look again.
/// </summary>
public sealed class ParameterVersionConflictException : Exception
{
    /// <summary>Creates the exception for <paramref name="slot"/>.</summary>
    public ParameterVersionConflictException(string slot, long expected, long actual)
        : base($"Slot {slot}: expected version {expected} to be the newest, but it is {actual}; another apply got there first. Look at the history and try again.")
    {
        Slot = slot;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Creates an exception with a message only.</summary>
    public ParameterVersionConflictException()
        : this("?", 0, 0)
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    public ParameterVersionConflictException(string message)
        : base(message)
    {
        Slot = "?";
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public ParameterVersionConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
        Slot = "?";
    }

    /// <summary>The slot.</summary>
    public string Slot { get; }

    /// <summary>The version the caller expected to be the newest (0: none).</summary>
    public long Expected { get; }

    /// <summary>The newest version when the append was refused.</summary>
    public long Actual { get; }
}
