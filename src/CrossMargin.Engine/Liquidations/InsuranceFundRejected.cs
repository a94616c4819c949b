namespace CrossMargin.Engine.Liquidations;

/// <summary>The insurance fund refused a request (nothing written); e.g. a non-positive amount or an unpriced asset.</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="Reason">Why, in words.</param>
public sealed record InsuranceFundRejected(string RequestId, string Reason);
