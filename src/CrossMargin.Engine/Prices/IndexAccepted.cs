namespace CrossMargin.Engine.Prices;

/// <summary>A price actor accepted an index price; sent to the market publisher.</summary>
/// <param name="Asset">The asset.</param>
/// <param name="Price">USD per unit.</param>
internal sealed record IndexAccepted(string Asset, decimal Price);
