namespace CrossMargin.Risk.Margin.Standard;

/// <summary>The standard model's requirement, position by position; the lines sum to the totals.</summary>
/// <param name="Lines">One line per position (and per instrument that has only open orders).</param>
public sealed record StandardMarginExplanation(IReadOnlyList<StandardPositionLine> Lines);
