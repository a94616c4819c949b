using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Liquidations;

/// <summary>The insurance fund refused a request (nothing written); e.g. a non-positive amount or an unpriced asset.</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="Reason">Why, in words.</param>
/// <param name="Code">
/// The code an account would refuse the same amount with, where there is one (a deposit finer than the ledger's unit:
/// <see cref="RejectionCode.InvalidAmount"/>); null otherwise.
/// </param>
public sealed record InsuranceFundRejected(string RequestId, string Reason, RejectionCode? Code = null);
