namespace CrossMargin.Risk.Serialization;

/// <summary>Bad input in a risk file: the message names the file and the field (positions[2].quantity).</summary>
public sealed class RiskInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RiskInputException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RiskInputException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RiskInputException(string message)
        : base(message)
    {
    }
}
