namespace CrossMargin.Engine.Accounts;

/// <summary>Whether an execution added liquidity to the book or took it.</summary>
public enum Liquidity
{
    /// <summary>The account's order rested in the book.</summary>
    Maker,

    /// <summary>The account's order crossed the book.</summary>
    Taker,
}
