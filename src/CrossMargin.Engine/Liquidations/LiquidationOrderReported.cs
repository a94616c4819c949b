namespace CrossMargin.Engine.Liquidations;

/// <summary>The venue reported an order's outcome; a fill's liquidation fee is charged to the account and paid to the fund.</summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="OrderId">The order.</param>
/// <param name="FilledQuantity">Contracts filled, zero or more.</param>
/// <param name="AveragePrice">Average fill price (zero when nothing filled).</param>
/// <param name="FeeAsset">The fee's asset.</param>
/// <param name="FeeAmount">The fee charged, in <paramref name="FeeAsset"/> (zero when nothing filled).</param>
/// <param name="FeeUsd">The same in USD.</param>
/// <param name="FeeSequence">The coordinator's sequence (source "liquidation") of the fee message to the account; 0 when none.</param>
/// <param name="Time">When.</param>
public sealed record LiquidationOrderReported(
    string LiquidationId, string OrderId, decimal FilledQuantity, decimal AveragePrice, string FeeAsset, decimal FeeAmount, decimal FeeUsd, long FeeSequence,
    DateTimeOffset Time) : ILiquidationEvent;
