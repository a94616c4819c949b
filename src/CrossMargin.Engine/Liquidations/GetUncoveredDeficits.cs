namespace CrossMargin.Engine.Liquidations;

/// <summary>Asks the coordinator for the <see cref="UncoveredDeficits"/> its completed liquidations left.</summary>
public sealed record GetUncoveredDeficits
{
    /// <summary>The one instance.</summary>
    public static GetUncoveredDeficits Instance { get; } = new();
}
