namespace CrossMargin.Contracts.Inbound;

/// <summary>An instrument's mark price; options may carry their implied vol (else it is implied from the mark).</summary>
public sealed record MarkPrice
{
    /// <summary>The instrument.</summary>
    public string? Symbol { get; set; }

    /// <summary>Mark in the instrument's quote (inverse options in coin), positive.</summary>
    public decimal? Price { get; set; }

    /// <summary>Annualised implied vol for options (0.55 is 55%); absent for futures.</summary>
    public double? ImpliedVolatility { get; set; }

    /// <summary>When the mark was computed.</summary>
    public DateTimeOffset? Timestamp { get; set; }
}
