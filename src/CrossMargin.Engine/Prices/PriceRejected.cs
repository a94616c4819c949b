namespace CrossMargin.Engine.Prices;

/// <summary>A price update was refused; sent to the sender of the update. Nothing changed.</summary>
/// <param name="Symbol">The instrument's symbol or the asset's code, as sent.</param>
/// <param name="Reason">The stable code.</param>
/// <param name="Message">What was wrong, with the numbers.</param>
public sealed record PriceRejected(string Symbol, PriceRejectionReason Reason, string Message);
