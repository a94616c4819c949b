using CrossMargin.Risk.Margin;

namespace CrossMargin.Risk.Stress;

/// <summary>A shock applied to a whole book.</summary>
/// <param name="Accounts">Each account's outcome, in the book's order.</param>
/// <param name="PnlUsd">Sum of the accounts' P&amp;L.</param>
/// <param name="ShortfallUsd">Sum of the shortfalls to maintenance margin.</param>
/// <param name="DeficitUsd">Sum of the bankrupt accounts' negative equity.</param>
/// <param name="StatusCounts">Accounts per post-shock status.</param>
public sealed record BookStressResult(
    IReadOnlyList<StressOutcome> Accounts, decimal PnlUsd, decimal ShortfallUsd, decimal DeficitUsd, IReadOnlyDictionary<MarginStatus, int> StatusCounts);
