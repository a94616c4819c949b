namespace CrossMargin.Contracts.Inbound;

/// <summary>An asset's index price in USD from the oracle.</summary>
public sealed record IndexPrice
{
    /// <summary>The asset, e.g. BTC or USDT.</summary>
    public string? Asset { get; set; }

    /// <summary>Price in USD, positive.</summary>
    public decimal? Price { get; set; }

    /// <summary>When the oracle observed it.</summary>
    public DateTimeOffset? Timestamp { get; set; }
}
