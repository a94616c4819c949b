using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Ledger;

/// <summary>One execution against the account, as the venue reports it.</summary>
/// <param name="Symbol">The instrument's symbol.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Quantity">Contracts filled, positive.</param>
/// <param name="Price">Fill price in the instrument's price unit, positive. Not checked against the tick: delivery and
/// liquidation fills may be off-tick.</param>
/// <param name="Fee">
/// Fee charged, in the instrument's settlement asset; negative for a maker rebate.
/// </param>
public sealed record Fill(string Symbol, OrderSide Side, decimal Quantity, decimal Price, decimal Fee = 0m)
{
    /// <summary>The signed change in position: positive for a buy, negative for a sell.</summary>
    public decimal SignedQuantity => Side == OrderSide.Buy ? Quantity : -Quantity;
}
