namespace CrossMargin.Risk.Stress;

/// <summary>Where a running liquidation cascade is, for a caller that shows progress on a large book.</summary>
/// <param name="Round">The round being run (1 for the initial shock).</param>
/// <param name="Assessed">Accounts of the round assessed so far.</param>
/// <param name="Open">Accounts open at the start of the round (what the round assesses).</param>
/// <param name="Liquidated">Accounts the round has liquidated so far.</param>
/// <param name="RoundDone">True on the report that closes the round.</param>
public sealed record CascadeProgress(int Round, int Assessed, int Open, int Liquidated, bool RoundDone);
