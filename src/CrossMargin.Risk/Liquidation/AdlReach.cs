namespace CrossMargin.Risk.Liquidation;

/// <summary>Which opposite positions an auto-deleverage round may close.</summary>
public enum AdlReach
{
    /// <summary>Those in profit only: the ordinary round, before the insurance fund is asked to take the position over.</summary>
    InProfit,

    /// <summary>Every opposite position, those in profit first: the last resort, when the fund does not take the position over.</summary>
    All,
}
