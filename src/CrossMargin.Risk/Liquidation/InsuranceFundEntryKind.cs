namespace CrossMargin.Risk.Liquidation;

/// <summary>Why the insurance fund's history has an entry.</summary>
public enum InsuranceFundEntryKind
{
    /// <summary>A liquidation fee came in.</summary>
    FeeCollected,

    /// <summary>The fund paid (part of) a bankrupt account's deficit.</summary>
    DeficitCovered,

    /// <summary>The fund could not cover a deficit and the rest goes to auto-deleveraging.</summary>
    AutoDeleverageTriggered,
}
