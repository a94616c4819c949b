namespace CrossMargin.Engine.Accounts;

/// <summary>
/// From a <see cref="MarginPass"/> to an account whose status changed at the newest market, or which is in breach (a
/// breach is reported on every re-margin): the figures of its slot's version <see cref="MarginBookFigures.For"/>, also in
/// its slot. The account takes them only while that is still the version it wrote; otherwise it changed since, and
/// margined itself at a market at least as new. Figure changes that move no status are not told: the account reads them from its slot.
/// </summary>
/// <param name="Figures">The figures, with the version they were computed from.</param>
internal sealed record Remargined(MarginBookFigures Figures);
