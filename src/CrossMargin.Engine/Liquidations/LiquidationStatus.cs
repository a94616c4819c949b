namespace CrossMargin.Engine.Liquidations;

/// <summary>Where a liquidation is.</summary>
public enum LiquidationStatus
{
    /// <summary>Still closing risk (or waiting for budget, the venue or the fund).</summary>
    Active,

    /// <summary>Over.</summary>
    Completed,
}
