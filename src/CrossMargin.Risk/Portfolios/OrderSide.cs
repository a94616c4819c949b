namespace CrossMargin.Risk.Portfolios;

/// <summary>The side of an order or execution.</summary>
public enum OrderSide
{
    /// <summary>Buy: increases the position.</summary>
    Buy,

    /// <summary>Sell: decreases the position.</summary>
    Sell,
}
