namespace CrossMargin.Risk.Market;

/// <summary>The forward (futures) price of an underlying for one expiry.</summary>
/// <param name="Expiry">The expiry the forward is for.</param>
/// <param name="Price">Forward price in USD per unit of underlying.</param>
public sealed record ForwardPoint(DateTimeOffset Expiry, decimal Price);
