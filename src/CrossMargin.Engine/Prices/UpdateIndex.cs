namespace CrossMargin.Engine.Prices;

/// <summary>
/// The oracle's USD index price of one asset: an underlying (BTC) or an asset with no derivatives of its own (USDT).
/// Sent to <see cref="PriceFeed"/>; answered <see cref="PriceAccepted"/> or <see cref="PriceRejected"/>.
/// </summary>
/// <param name="Asset">The asset code, e.g. BTC or USDT.</param>
/// <param name="Price">USD per unit; positive.</param>
/// <param name="Timestamp">When the oracle observed the price.</param>
public sealed record UpdateIndex(string Asset, decimal Price, DateTimeOffset Timestamp);
