namespace CrossMargin.Engine.Liquidations;

/// <summary>The deficits recorded uncovered and not covered since, one per account (ordinal order), and their total.</summary>
/// <param name="TotalUsd">Their sum, USD: the exchange's exposure to bankrupt accounts the fund did not pay.</param>
/// <param name="Accounts">One per account.</param>
public sealed record UncoveredDeficits(decimal TotalUsd, IReadOnlyList<UncoveredDeficit> Accounts);
