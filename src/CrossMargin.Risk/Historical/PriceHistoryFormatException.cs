namespace CrossMargin.Risk.Historical;

/// <summary>A malformed price-history CSV: the message says the line and what is wrong with it.</summary>
public sealed class PriceHistoryFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="line"/> (1-based; 0 when the file as a whole is wrong).</summary>
    public PriceHistoryFormatException(int line, string problem)
        : base(line > 0 ? $"line {line}: {problem}" : problem)
    {
        Line = line;
    }

    /// <summary>Creates the exception.</summary>
    public PriceHistoryFormatException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public PriceHistoryFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PriceHistoryFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The 1-based line at fault, or 0.</summary>
    public int Line { get; }
}
