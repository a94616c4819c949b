namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>Scenario parameters of one underlying.</summary>
/// <param name="PriceRange">The price range (scan range) as a fraction of price: 0.16 for a ±16% grid.</param>
/// <param name="VolShock">How volatility is shocked.</param>
/// <param name="ShortOptionMinimum">
/// Minimum charge per short option contract as a fraction of the underlying's value per contract: the requirement of
/// the underlying is at least this x |short contracts| x size x index (SPAN's short option minimum).
/// </param>
/// <param name="AnnualisedMoveRisk">
/// Roll shock of dated futures and perpetuals, per position without netting: |notional| x
/// max(AnnualisedMoveRisk x years to expiry, MinAnnualisedMove). This form reproduces Deribit's published
/// roll_shock figure; Deribit does not publish the formula itself.
/// </param>
/// <param name="MinAnnualisedMove">Floor of the roll shock rate (perpetuals always pay the floor).</param>
public sealed record UnderlyingRiskParameters(
    double PriceRange, VolShockRule VolShock, double ShortOptionMinimum = 0, double AnnualisedMoveRisk = 0, double MinAnnualisedMove = 0);
