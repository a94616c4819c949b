namespace CrossMargin.Engine.Liquidations;

/// <summary>A liquidation ended: the plan was done, the account recovered, or a bankrupt account had nothing left to close.</summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Reason">Why, with the numbers.</param>
/// <param name="Time">When, by the coordinator's clock.</param>
/// <param name="MarketTime">
/// The valuation time of the newest figures of the account the coordinator had seen (the account owner's market, which
/// is also what its breach reports carry); a breach report valued at or before it is stale. Null in events written
/// before it was recorded, which fall back to <paramref name="Time"/>.
/// </param>
public sealed record LiquidationCompleted(string LiquidationId, string Reason, DateTimeOffset Time, DateTimeOffset? MarketTime = null) : ILiquidationEvent;
