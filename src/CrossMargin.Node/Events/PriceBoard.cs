namespace CrossMargin.Node.Events;

/// <summary>The latest prices, as the <c>prices</c> event and <c>GET /api/v1/market</c> carry them.</summary>
/// <param name="Version">The market snapshot's version.</param>
/// <param name="ValuationTime">The snapshot's valuation time.</param>
/// <param name="Tiles">Every asset with an index price.</param>
public sealed record PriceBoard(long Version, DateTimeOffset ValuationTime, IReadOnlyList<PriceTile> Tiles);
