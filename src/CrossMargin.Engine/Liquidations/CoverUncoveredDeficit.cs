namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// Operator: have the insurance fund pay the deficit an account's last liquidation left uncovered, now that it can (after
/// a top-up). Answered with <see cref="UncoveredDeficitCoverStarted"/>: a liquidation of the account whose fresh view
/// measures the deficit (a deposit of the account's own may have paid part of it) and asks the fund for it, once; or
/// with <see cref="UncoveredDeficitCoverRefused"/>.
/// </summary>
/// <param name="RequestId">Unique id: a repeated id is answered with the liquidation it started and starts nothing more.</param>
/// <param name="AccountId">The account whose uncovered deficit is to be covered.</param>
public sealed record CoverUncoveredDeficit(string RequestId, string AccountId);
