using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// Ask the insurance fund to pay as much of a bankrupt account's deficit as it can, at the newest market; answered with
/// <see cref="LiquidationDeficitCovered"/> (covered and uncovered USD, payments per asset).
/// </summary>
/// <param name="RequestId">Unique id: a repeated id is answered with the first answer and pays nothing more.</param>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="AccountId">The bankrupt account.</param>
/// <param name="DeficitUsd">The deficit, USD, zero or positive.</param>
/// <param name="Collateral">
/// The account's collateral rules: the fund pays in the assets they haircut least first, and never in one they do not
/// count (<see cref="InsuranceFund"/>); null: every asset, in ordinal order.
/// </param>
/// <param name="Holdings">
/// The account's balances as last seen: the tiers of <paramref name="Collateral"/> apply to its whole holding of an
/// asset, and an asset it owes is repaid at full value; null: the first tiers.
/// </param>
public sealed record CoverLiquidationDeficit(string RequestId, string LiquidationId, string AccountId, decimal DeficitUsd, CollateralSchedule? Collateral = null,
    IReadOnlyList<CollateralBalance>? Holdings = null);
