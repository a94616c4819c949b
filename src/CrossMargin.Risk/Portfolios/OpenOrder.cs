namespace CrossMargin.Risk.Portfolios;

/// <summary>A resting order; it counts toward initial margin as if it filled.</summary>
/// <param name="OrderId">The venue's order id.</param>
/// <param name="Symbol">The instrument's symbol.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Quantity">Unfilled contracts, positive.</param>
/// <param name="Price">Limit price in the instrument's price unit.</param>
public sealed record OpenOrder(string OrderId, string Symbol, OrderSide Side, decimal Quantity, decimal Price)
{
    /// <summary>The signed change in position if the order fills.</summary>
    public decimal SignedQuantity => Side == OrderSide.Buy ? Quantity : -Quantity;
}
