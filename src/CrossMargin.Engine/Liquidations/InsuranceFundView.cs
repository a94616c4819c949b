namespace CrossMargin.Engine.Liquidations;

/// <summary>An immutable picture of the insurance fund.</summary>
/// <param name="Balances">Units by asset (ordinal order).</param>
/// <param name="ValueUsd">Their USD value at the newest market (assets it does not price count as nothing).</param>
/// <param name="ValuationTime">The valuation time of that market.</param>
/// <param name="History">Every movement, oldest first.</param>
/// <param name="Account">
/// The fund's own account (positions taken over and being unwound, with the collateral covers put there), when it has
/// one: filled in by the node's HTTP answer, which asks the account where it lives, not by the fund actor. Its equity is
/// not in <paramref name="ValueUsd"/>.
/// </param>
/// <param name="Uncovered">
/// The deficits completed liquidations left uncovered and nobody covered since, from the coordinator: filled in by the
/// node's HTTP answer, not by the fund actor (whose history records every cover's shortfall, also those auto-deleveraging
/// then passed on).
/// </param>
public sealed record InsuranceFundView(
    IReadOnlyDictionary<string, decimal> Balances, decimal ValueUsd, DateTimeOffset ValuationTime, IReadOnlyList<InsuranceFundMovement> History,
    Accounts.AccountView? Account = null, UncoveredDeficits? Uncovered = null);
