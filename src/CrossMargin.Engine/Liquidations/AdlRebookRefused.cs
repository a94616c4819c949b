namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The coordinator's refusal of a <see cref="RebookAdlReversal"/>: no such unbalanced fill, one already booked or being
/// rebooked, a settlement price not positive, its liquidation still running, or an <see cref="UnbalancedAdlFill.Unverified"/>
/// fill without <see cref="RebookAdlReversal.ConfirmUnverified"/>.
/// </summary>
/// <param name="Reason">Why.</param>
public sealed record AdlRebookRefused(string Reason);
