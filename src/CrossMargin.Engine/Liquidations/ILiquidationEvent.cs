namespace CrossMargin.Engine.Liquidations;

/// <summary>A step of one liquidation, persisted by the <see cref="LiquidationCoordinator"/>: its history is these, in order.</summary>
public interface ILiquidationEvent
{
    /// <summary>The liquidation.</summary>
    string LiquidationId { get; }

    /// <summary>When, by the actor system's clock.</summary>
    DateTimeOffset Time { get; }
}
