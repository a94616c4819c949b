namespace CrossMargin.Risk.Liquidation;

/// <summary>What <see cref="InsuranceFund.Cover(decimal, CrossMargin.Risk.Market.MarketSnapshot, string, string, DateTimeOffset, CrossMargin.Risk.Collateral.CollateralSchedule)"/> did.</summary>
/// <param name="Fund">The fund afterwards.</param>
/// <param name="CoveredUsd">The part of the deficit the fund paid, USD.</param>
/// <param name="UncoveredUsd">The part it could not pay (for auto-deleveraging), USD; zero or positive.</param>
/// <param name="Payments">What left the fund, per asset, in units of the asset.</param>
public sealed record InsuranceFundCoverage(InsuranceFund Fund, decimal CoveredUsd, decimal UncoveredUsd, IReadOnlyList<(string Asset, decimal Amount)> Payments);
