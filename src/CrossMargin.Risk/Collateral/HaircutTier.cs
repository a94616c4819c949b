namespace CrossMargin.Risk.Collateral;

/// <summary>
/// One size tier of a collateral haircut: the part of a balance's USD value up to <see cref="UpToValueUsd"/>
/// (from the previous tier's bound) is discounted by <see cref="Haircut"/>.
/// </summary>
/// <param name="UpToValueUsd">Upper bound of the tier in USD, or null for the last, unbounded tier.</param>
/// <param name="Haircut">Fraction of value not counted, from 0 (full value) to 1 (no value).</param>
public sealed record HaircutTier(decimal? UpToValueUsd, decimal Haircut);
