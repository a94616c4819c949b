namespace CrossMargin.Risk.Simm;

/// <summary>One bucket's aggregate in one risk class.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="K">sqrt(sum WS^2 + sum over pairs rho f WS WS), USD.</param>
/// <param name="S">Sum of WS, capped to [-K, K].</param>
/// <param name="Factors">Its underlyings' terms.</param>
public sealed record SimmBucketMargin(string Bucket, double K, double S, IReadOnlyList<SimmFactor> Factors);
