namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// Tell the insurance fund how much of the shortfalls it recorded for a liquidation is still uncovered, now that the
/// liquidation has ended (or a later liquidation of its account has measured the deficit afresh); answered with
/// <see cref="LiquidationShortfallSettled"/>. Each cover the fund could not pay in full records its shortfall, and the
/// next cover of the same liquidation records the deficit measured again after auto-deleveraging: summed, they counted
/// what auto-deleveraging passed on as a loss.
/// </summary>
/// <param name="RequestId">Unique id (the coordinator derives it from the liquidation): a repeated id changes nothing.</param>
/// <param name="LiquidationId">The liquidation whose shortfalls are settled.</param>
/// <param name="AccountId">Its account.</param>
/// <param name="UncoveredUsd">What of its deficit is still uncovered, zero or more.</param>
public sealed record SettleLiquidationShortfall(string RequestId, string LiquidationId, string AccountId, decimal UncoveredUsd);
