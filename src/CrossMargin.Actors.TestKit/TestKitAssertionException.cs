namespace CrossMargin.Actors.TestKit;

/// <summary>An expectation of the TestKit was not met (a message did not arrive, a condition did not hold in time).</summary>
public sealed class TestKitAssertionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TestKitAssertionException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public TestKitAssertionException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TestKitAssertionException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
