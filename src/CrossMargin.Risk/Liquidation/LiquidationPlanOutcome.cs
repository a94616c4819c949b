namespace CrossMargin.Risk.Liquidation;

/// <summary>What a liquidation step decided.</summary>
public enum LiquidationPlanOutcome
{
    /// <summary>Every pool is at or above its stop level: the liquidation is over.</summary>
    Done,

    /// <summary>Orders go out; the actor plans again once they have filled or been cancelled.</summary>
    Orders,

    /// <summary>A pool is below its stop level but every instrument that could reduce it has no liquidity budget left.</summary>
    Throttled,

    /// <summary>A pool is below its stop level with no position left to close: its deficit is for the insurance fund.</summary>
    NothingToClose,
}
