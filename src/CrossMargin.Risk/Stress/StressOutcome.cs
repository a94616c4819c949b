using CrossMargin.Risk.Margin;

namespace CrossMargin.Risk.Stress;

/// <summary>One account before and after a shock.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="PnlUsd">Change of the cross pool's unrounded equity plus the isolated positions' equity.</param>
/// <param name="Before">The assessment at the unshocked market.</param>
/// <param name="After">The assessment at the shocked market (the post-shock margin state).</param>
public sealed record StressOutcome(string AccountId, decimal PnlUsd, AccountMargin Before, AccountMargin After)
{
    /// <summary>What equity lacks to cover maintenance margin after the shock (0 when covered).</summary>
    public decimal ShortfallUsd => Math.Max(0, After.MaintenanceMarginUsd - After.EquityUsd);

    /// <summary>Losses beyond the account's collateral after the shock (0 unless bankrupt).</summary>
    public decimal DeficitUsd => Math.Max(0, -After.EquityUsd);
}
