namespace CrossMargin.Engine.Prices;

/// <summary>
/// The venue's mark of one instrument. Sent to <see cref="PriceFeed"/>; answered <see cref="PriceAccepted"/> or
/// <see cref="PriceRejected"/>.
/// </summary>
/// <param name="Symbol">The instrument's symbol.</param>
/// <param name="Price">Mark in the instrument's price unit; positive.</param>
/// <param name="ImpliedVolatility">
/// Options only: annualised implied vol (0.65 = 65%). Omitted, it is implied from the mark when the mark is accepted.
/// Must be null for perpetuals and futures.
/// </param>
/// <param name="Timestamp">When the venue computed the mark.</param>
public sealed record UpdateMark(string Symbol, decimal Price, double? ImpliedVolatility, DateTimeOffset Timestamp);
