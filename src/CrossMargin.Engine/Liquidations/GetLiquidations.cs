namespace CrossMargin.Engine.Liquidations;

/// <summary>Asks the coordinator for a <see cref="LiquidationList"/> of every liquidation it knows.</summary>
public sealed record GetLiquidations
{
    /// <summary>The one instance.</summary>
    public static GetLiquidations Instance { get; } = new();
}
