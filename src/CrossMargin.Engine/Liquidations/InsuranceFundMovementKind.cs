namespace CrossMargin.Engine.Liquidations;

/// <summary>Why the insurance fund's history has an entry.</summary>
public enum InsuranceFundMovementKind
{
    /// <summary>An operator deposit (or the seed).</summary>
    Deposited,

    /// <summary>A liquidation fee came in.</summary>
    FeeCollected,

    /// <summary>The fund paid (part of) a bankrupt account's deficit.</summary>
    DeficitCovered,

    /// <summary>The fund could not cover a deficit; the rest goes to auto-deleveraging (nothing moves).</summary>
    AutoDeleverageTriggered,
}
