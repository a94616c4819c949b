namespace CrossMargin.Engine.Accounts;

/// <summary>The answer to a pre-trade check, with the account's margin before and after the hypothetical fill (USD, to the cent).</summary>
/// <param name="Accepted">True when the order may go to the book.</param>
/// <param name="Rejection">Why not, when refused.</param>
/// <param name="EquityUsd">Cross pool equity after the fill.</param>
/// <param name="InitialMarginUsd">Cross pool initial margin after the fill.</param>
/// <param name="AvailableMarginUsd">Equity less initial margin after the fill.</param>
/// <param name="InitialMarginBeforeUsd">Cross pool initial margin now.</param>
public sealed record PreTradeResult(
    bool Accepted, Rejection? Rejection, decimal EquityUsd, decimal InitialMarginUsd, decimal AvailableMarginUsd, decimal InitialMarginBeforeUsd);
