namespace CrossMargin.Risk.Simm;

/// <summary>The net sensitivities of a portfolio to one underlying (SIMM's risk factor).</summary>
/// <param name="Underlying">The underlying.</param>
/// <param name="DeltaUsd">USD change for a 1% rise of the underlying (futures and options together).</param>
/// <param name="VegaUsd">USD change for a rise of one vol point of every option on it.</param>
/// <param name="CurvatureVegaUsd">Sum over options of SF(t) x their vega, SF(t) = 0.5 x min(1, 14 days / t).</param>
public sealed record SimmSensitivity(string Underlying, double DeltaUsd, double VegaUsd, double CurvatureVegaUsd);
