namespace CrossMargin.Risk.Simm;

/// <summary>The margin of one risk class (delta, vega or curvature) and how its buckets combined.</summary>
/// <param name="RiskClass">"delta", "vega" or "curvature".</param>
/// <param name="MarginUsd">sqrt(sum K^2 + sum over pairs gamma S S) (curvature: SIMM's lambda form), snapped to 1e-6.</param>
/// <param name="Buckets">Each bucket's aggregate.</param>
/// <param name="Lambda">Curvature only: lambda = (N^-1(99.5%)^2 - 1)(1 + theta) - theta of the regular (non-residual) buckets; 0 otherwise.</param>
/// <param name="Theta">Curvature only: min(sum CVR / sum |CVR|, 0) over the regular buckets; 0 otherwise.</param>
public sealed record SimmRiskClassMargin(string RiskClass, decimal MarginUsd, IReadOnlyList<SimmBucketMargin> Buckets, double Lambda = 0, double Theta = 0);
