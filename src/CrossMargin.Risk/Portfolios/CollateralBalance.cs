namespace CrossMargin.Risk.Portfolios;

/// <summary>A wallet balance in one asset; negative when the account has borrowed (a liability).</summary>
/// <param name="Asset">The asset's code.</param>
/// <param name="Amount">Units of the asset.</param>
public sealed record CollateralBalance(string Asset, decimal Amount);
