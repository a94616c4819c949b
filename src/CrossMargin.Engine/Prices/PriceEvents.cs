using CrossMargin.Persistence.Serialization;

namespace CrossMargin.Engine.Prices;

/// <summary>The manifests the price pipeline's stored state is kept under, and their registration.</summary>
public static class PriceEvents
{
    /// <summary>The schema version every payload is written with today.</summary>
    public const int Version = 1;

    /// <summary>Registers <see cref="IndexReference"/> with <paramref name="registry"/>, at <see cref="Version"/>.</summary>
    public static EventTypeRegistry Register(EventTypeRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.Register("prices.index-reference", Version, PriceEventsJsonContext.Default.IndexReference);
    }
}
