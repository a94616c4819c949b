namespace CrossMargin.Risk.Simm;

/// <summary>
/// One bucket of the SIMM-style model (underlyings that share risk weights and an intra-bucket correlation).
/// Units follow SIMM: delta is the USD change for a 1% rise of the underlying, and <paramref name="DeltaRiskWeight"/>
/// is in percent (50 = a 50% move); vega is the USD change for one vol point.
/// </summary>
/// <param name="Name">The bucket's name.</param>
/// <param name="DeltaRiskWeight">RW: weighted delta = RW x delta (percent units).</param>
/// <param name="VegaRiskWeight">VRW: weighted vega = VRW x sigma x vega, sigma = RW x sqrt(365/14) / N^-1(99%) in percent.</param>
/// <param name="IntraCorrelation">rho between two different underlyings of the bucket.</param>
/// <param name="DeltaThresholdUsd">T: delta (USD per 1%) of one underlying beyond which its concentration factor exceeds 1.</param>
/// <param name="VegaThresholdUsd">VT: HVR x sigma x vega (USD) of one underlying beyond which its vega concentration factor exceeds 1.</param>
/// <param name="Residual">
/// SIMM's residual bucket: its aggregate is added to the risk class margin outside the inter-bucket root (no gamma with
/// any bucket), and its curvature takes its own theta and lambda.
/// </param>
public sealed record SimmBucket(string Name, double DeltaRiskWeight, double VegaRiskWeight, double IntraCorrelation, double DeltaThresholdUsd, double VegaThresholdUsd,
    bool Residual = false)
{
    /// <summary>N^-1(0.99): SIMM's risk weights are 99% quantiles.</summary>
    public const double Alpha = 2.3263478740408408;

    /// <summary>sigma of the bucket in percent: the delta risk weight over a 10-day (14 calendar day) horizon, as a vol.</summary>
    public double Sigma => DeltaRiskWeight * Math.Sqrt(365.0 / 14.0) / Alpha;
}
