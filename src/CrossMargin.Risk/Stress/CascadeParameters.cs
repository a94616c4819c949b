namespace CrossMargin.Risk.Stress;

/// <summary>
/// The market-impact model of a liquidation cascade: forced selling of a USD notional moves the underlying's price
/// linearly by -impact x notional / 1,000,000 (buying moves it up by the same rule).
/// </summary>
/// <param name="ImpactPerMillionUsd">Relative move per 1,000,000 USD of net forced notional, per underlying (0.002 = 0.2%).</param>
/// <param name="DefaultImpactPerMillionUsd">Impact of an underlying not named.</param>
/// <param name="InsuranceFundUsd">The fund that covers bankrupt accounts' deficits.</param>
/// <param name="MaxRounds">Rounds at most; the cascade stops earlier when a round liquidates nobody.</param>
public sealed record CascadeParameters(
    IReadOnlyDictionary<string, double> ImpactPerMillionUsd, double DefaultImpactPerMillionUsd, decimal InsuranceFundUsd, int MaxRounds = 20)
{
    /// <summary>The impact of <paramref name="underlying"/>.</summary>
    public double ImpactOf(string underlying) => ImpactPerMillionUsd.GetValueOrDefault(underlying, DefaultImpactPerMillionUsd);
}
