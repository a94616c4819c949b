namespace CrossMargin.Engine.Liquidations;

/// <summary>Asks the coordinator how many liquidation orders it awaits a report of (<see cref="UnreportedOrders"/>).</summary>
public sealed record GetUnreportedOrders
{
    /// <summary>The one instance.</summary>
    public static GetUnreportedOrders Instance { get; } = new();
}
