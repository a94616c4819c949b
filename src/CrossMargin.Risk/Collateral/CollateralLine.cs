namespace CrossMargin.Risk.Collateral;

/// <summary>How one balance was valued.</summary>
/// <param name="Asset">The asset.</param>
/// <param name="Amount">Units held (negative: borrowed).</param>
/// <param name="PriceUsd">Index price used.</param>
/// <param name="MarketValueUsd">Amount x price.</param>
/// <param name="HaircutUsd">Value not counted; 0 for a liability, the whole value for an ineligible asset.</param>
/// <param name="CollateralValueUsd">Market value less haircut.</param>
/// <param name="Eligible">False when no collateral rule covers the asset (a positive balance then counts for nothing).</param>
public sealed record CollateralLine(
    string Asset, decimal Amount, decimal PriceUsd, decimal MarketValueUsd, decimal HaircutUsd, decimal CollateralValueUsd, bool Eligible);
