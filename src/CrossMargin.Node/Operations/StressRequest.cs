namespace CrossMargin.Node.Operations;

/// <summary>A stress scenario: spot moves per underlying or asset, and a parallel vol move.</summary>
/// <param name="Spot">Relative move by underlying or asset name (-0.30 is -30%); names not listed do not move.</param>
/// <param name="VolPoints">Implied-vol move in vol points for every option (+20 is +0.20 of vol); 0 when null.</param>
public sealed record StressRequest(IReadOnlyDictionary<string, decimal>? Spot, double? VolPoints);
