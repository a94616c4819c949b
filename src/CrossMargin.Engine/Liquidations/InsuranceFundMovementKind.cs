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

    /// <summary>
    /// The fund could not cover a deficit; the rest goes to auto-deleveraging (nothing moves). The amount is the cover's
    /// shortfall when it was asked, not yet a loss: see <see cref="ShortfallSettled"/>.
    /// </summary>
    AutoDeleverageTriggered,

    /// <summary>
    /// Of a liquidation's shortfalls (its <see cref="AutoDeleverageTriggered"/> rows), the part no longer uncovered once it
    /// ended, or once a later liquidation of its account measured the deficit afresh (nothing moves): auto-deleveraging
    /// passed it on, or a later cover paid it. A liquidation's triggered rows less its settled rows are what it left
    /// uncovered; summed over the history, the deficits uncovered now (those of liquidations still under way included).
    /// </summary>
    ShortfallSettled,
}
