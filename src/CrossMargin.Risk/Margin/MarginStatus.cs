namespace CrossMargin.Risk.Margin;

/// <summary>Where an account stands against its requirements, from best to worst.</summary>
public enum MarginStatus
{
    /// <summary>Equity covers initial margin.</summary>
    Healthy,

    /// <summary>Equity is below initial margin: no new risk, and a margin call goes out.</summary>
    MarginCall,

    /// <summary>Equity is below maintenance margin: positions are liquidated.</summary>
    Liquidation,

    /// <summary>Equity is below zero: the account's losses exceed its collateral.</summary>
    Bankrupt,
}
