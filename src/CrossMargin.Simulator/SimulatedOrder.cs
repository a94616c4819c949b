namespace CrossMargin.Simulator;

/// <summary>
/// An order a simulated trader sends to the book, to be matched against a market maker's resting order: the venue
/// checks it with the risk engine first and trades it only if the check accepts.
/// </summary>
/// <param name="Taker">The trader's account.</param>
/// <param name="Maker">The market maker it would trade against.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="TakerBuys">True for a buy by the taker.</param>
/// <param name="Quantity">Contracts, positive.</param>
/// <param name="Price">The price it would trade at (the mark).</param>
public sealed record SimulatedOrder(string Taker, string Maker, string Symbol, bool TakerBuys, decimal Quantity, decimal Price);
