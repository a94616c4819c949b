namespace CrossMargin.Engine.Liquidations;

/// <summary>The fund's answer to a cover request; each payment is credited to the account with a <c>CoverDeficit</c>.</summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="RequestId">The request answered.</param>
/// <param name="CoveredUsd">What the fund paid, USD.</param>
/// <param name="UncoveredUsd">What it could not pay: auto-deleveraging closes the rest.</param>
/// <param name="Payments">Per asset paid.</param>
/// <param name="FirstSequence">The coordinator's sequence (source "liquidation") of the first <c>CoverDeficit</c>; one per payment from there.</param>
/// <param name="Time">When.</param>
public sealed record LiquidationCoverReceived(
    string LiquidationId, string RequestId, decimal CoveredUsd, decimal UncoveredUsd, IReadOnlyList<InsuranceFundPayment> Payments, long FirstSequence,
    DateTimeOffset Time) : ILiquidationEvent;
