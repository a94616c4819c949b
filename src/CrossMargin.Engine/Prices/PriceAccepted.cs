namespace CrossMargin.Engine.Prices;

/// <summary>
/// The answer to an accepted index or mark, sent to the update's sender (when there is one) so a caller that needs a
/// per-update answer, such as the HTTP API, gets one; the price reaches accounts in the next <see cref="MarketChanged"/>.
/// </summary>
/// <param name="Symbol">The asset or instrument.</param>
public sealed record PriceAccepted(string Symbol);
