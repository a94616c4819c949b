namespace CrossMargin.Engine.Liquidations;

/// <summary>From the venue to the coordinator: the outcome of a liquidation IOC (the rest was cancelled).</summary>
/// <param name="OrderId">The order's id, as issued.</param>
/// <param name="FilledQuantity">Contracts filled, zero or more.</param>
/// <param name="AveragePrice">Average fill price (any value when nothing filled).</param>
public sealed record LiquidationOrderReport(string OrderId, decimal FilledQuantity, decimal AveragePrice);
