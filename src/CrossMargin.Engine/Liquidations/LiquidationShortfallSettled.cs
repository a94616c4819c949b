namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The part of a liquidation's recorded shortfalls that is no longer uncovered (persisted by the fund, and the answer to
/// <see cref="SettleLiquidationShortfall"/>): what auto-deleveraging passed on, or what a later cover paid. In the fund's
/// history, the liquidation's <see cref="InsuranceFundMovementKind.AutoDeleverageTriggered"/> rows less its
/// <see cref="InsuranceFundMovementKind.ShortfallSettled"/> rows are <paramref name="UncoveredUsd"/>.
/// </summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="AccountId">Its account.</param>
/// <param name="SettledUsd">
/// The shortfalls recorded for the liquidation and not settled before, less <paramref name="UncoveredUsd"/>; computed
/// by the fund when it decided, so a replay never recomputes it.
/// </param>
/// <param name="UncoveredUsd">What is still uncovered, as the coordinator measured it.</param>
/// <param name="Time">When, by the actor system's clock.</param>
public sealed record LiquidationShortfallSettled(string RequestId, string LiquidationId, string AccountId, decimal SettledUsd, decimal UncoveredUsd,
    DateTimeOffset Time) : IInsuranceFundEvent;
