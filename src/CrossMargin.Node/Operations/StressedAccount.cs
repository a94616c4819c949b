using CrossMargin.Risk.Margin;

namespace CrossMargin.Node.Operations;

/// <summary>One account under a stress scenario.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="StatusBefore">Its status at the current market.</param>
/// <param name="StatusAfter">Its status in the scenario.</param>
/// <param name="EquityUsd">Equity in the scenario.</param>
/// <param name="MaintenanceMarginUsd">Maintenance margin in the scenario.</param>
/// <param name="ShortfallUsd">Maintenance margin less equity, when positive (what liquidation must recover).</param>
/// <param name="DeficitUsd">Negative equity, as a positive amount: the loss beyond the account's collateral that the insurance fund would cover.</param>
public sealed record StressedAccount(
    string AccountId, MarginStatus StatusBefore, MarginStatus StatusAfter, decimal EquityUsd, decimal MaintenanceMarginUsd, decimal ShortfallUsd, decimal DeficitUsd);
