namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// What the insurance fund paid towards a deficit (persisted, and the answer to <see cref="CoverLiquidationDeficit"/>):
/// <paramref name="CoveredUsd"/> + <paramref name="UncoveredUsd"/> = <paramref name="DeficitUsd"/>. An uncovered part is
/// recorded in the fund's history as an auto-deleverage trigger.
/// </summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="AccountId">The bankrupt account.</param>
/// <param name="DeficitUsd">The deficit asked for.</param>
/// <param name="CoveredUsd">The part paid, USD at the market of <paramref name="Time"/>.</param>
/// <param name="UncoveredUsd">The part not paid, for auto-deleveraging.</param>
/// <param name="Payments">What left the fund, per asset (the account is credited exactly these).</param>
/// <param name="Time">When, by the actor system's clock.</param>
public sealed record LiquidationDeficitCovered(
    string RequestId,
    string LiquidationId,
    string AccountId,
    decimal DeficitUsd,
    decimal CoveredUsd,
    decimal UncoveredUsd,
    IReadOnlyList<InsuranceFundPayment> Payments,
    DateTimeOffset Time) : IInsuranceFundEvent;
