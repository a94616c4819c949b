namespace CrossMargin.Risk.Market;

/// <summary>How an option's implied volatility responds when the underlying is shocked.</summary>
public enum VolatilityDynamics
{
    /// <summary>Each option keeps its own implied volatility (the vol of a strike does not move with spot).</summary>
    StickyStrike,

    /// <summary>
    /// The smile moves with the forward: after a move from F to F', a strike K takes the vol the smile gave
    /// strike K x F / F' before the move.
    /// </summary>
    StickyMoneyness,
}
