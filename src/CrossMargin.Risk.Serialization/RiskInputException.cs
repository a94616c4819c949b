namespace CrossMargin.Risk.Serialization;

/// <summary>Bad input in a risk file: the message names the file and the field (positions[2].quantity).</summary>
public sealed class RiskInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RiskInputException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>
    /// Wraps a domain constructor's <see cref="ArgumentException"/> as input error at <paramref name="where"/>
    /// (a file or field path, or empty), without the " (Parameter 'x')" suffix: the path already says where.
    /// </summary>
    public static RiskInputException From(ArgumentException e, string where)
    {
        var message = e.Message;
        var i = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        var text = i < 0 ? message : message[..i];
        return new RiskInputException(where.Length == 0 ? text : $"{where}: {text}", e);
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
