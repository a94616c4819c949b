namespace CrossMargin.Engine.Prices;

/// <summary>Asks <see cref="PriceFeed"/> for its counters; the reply is a <see cref="PriceStats"/>.</summary>
public sealed record GetPriceStats
{
    /// <summary>The only instance needed.</summary>
    public static GetPriceStats Instance { get; } = new();
}
