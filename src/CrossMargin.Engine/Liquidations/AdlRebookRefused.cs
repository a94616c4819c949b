namespace CrossMargin.Engine.Liquidations;

/// <summary>The coordinator's refusal of a <see cref="RebookAdlReversal"/>: no such unbalanced fill, or one already booked or being rebooked.</summary>
/// <param name="Reason">Why.</param>
public sealed record AdlRebookRefused(string Reason);
