namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>What a scenario's move is measured in.</summary>
public enum MoveUnit
{
    /// <summary>A multiple of the underlying's price range (SPAN's "fraction of the scan range": 1/3, 2/3, 1, 2).</summary>
    PriceRange,

    /// <summary>A plain fraction of the price (Deribit's extended table: -0.66, +5.00).</summary>
    Absolute,
}
