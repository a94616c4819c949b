namespace CrossMargin.Node.Operations;

/// <summary>The outcome of a stress scenario over every live account of the node.</summary>
/// <param name="Spot">The spot moves applied.</param>
/// <param name="VolPoints">The vol move applied.</param>
/// <param name="ValuationTime">The market the scenario moved from.</param>
/// <param name="AccountsEvaluated">Accounts assessed.</param>
/// <param name="AccountsBreaching">Accounts that would be in liquidation or bankrupt.</param>
/// <param name="AccountsBankrupt">Of those, accounts whose equity would be negative.</param>
/// <param name="TotalShortfallUsd">Sum of maintenance margin less equity over breaching accounts.</param>
/// <param name="TotalDeficitUsd">Sum of negative equity: what the insurance fund would have to cover.</param>
/// <param name="InsuranceFundUsd">The insurance fund valued at the scenario's prices.</param>
/// <param name="FundCoversDeficit">Whether the fund covers the total deficit.</param>
/// <param name="CoverageRatio">Fund / deficit, or null without a deficit.</param>
/// <param name="Breaching">The breaching accounts, largest shortfall first (at most 100).</param>
/// <param name="Failures">Accounts the scenario could not be assessed for, with why.</param>
public sealed record StressReport(
    IReadOnlyDictionary<string, decimal> Spot,
    double VolPoints,
    DateTimeOffset ValuationTime,
    int AccountsEvaluated,
    int AccountsBreaching,
    int AccountsBankrupt,
    decimal TotalShortfallUsd,
    decimal TotalDeficitUsd,
    decimal InsuranceFundUsd,
    bool FundCoversDeficit,
    decimal? CoverageRatio,
    IReadOnlyList<StressedAccount> Breaching,
    IReadOnlyList<string> Failures);
