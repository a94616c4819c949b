namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The auto-deleverage fills whose counterparty's side stands without its bankrupt side, booked or not since, in
/// liquidation and round order.
/// </summary>
/// <param name="Open">How many are not booked (<see cref="UnbalancedAdlStatus.Booked"/>) yet.</param>
/// <param name="Fills">The fills.</param>
public sealed record UnbalancedAdlFills(int Open, IReadOnlyList<UnbalancedAdlFill> Fills);
