namespace CrossMargin.Engine.Liquidations;

/// <summary>Asks the coordinator for the <see cref="UnbalancedAdlFills"/>.</summary>
public sealed record GetUnbalancedAdl
{
    /// <summary>The one instance.</summary>
    public static GetUnbalancedAdl Instance { get; } = new();
}
