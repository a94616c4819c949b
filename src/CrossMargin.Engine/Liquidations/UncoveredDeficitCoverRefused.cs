namespace CrossMargin.Engine.Liquidations;

/// <summary>The coordinator refused a <see cref="CoverUncoveredDeficit"/>; nothing was written or paid.</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="AccountId">The account.</param>
/// <param name="Reason">Why, with the numbers (nothing uncovered, a liquidation of the account under way, the fund short).</param>
public sealed record UncoveredDeficitCoverRefused(string RequestId, string AccountId, string Reason);
