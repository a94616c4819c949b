using System.Diagnostics.Metrics;

namespace CrossMargin.Engine;

/// <summary>
/// The engine's counters, on one <see cref="Meter"/> named <see cref="MeterName"/> (the node's exporter listens to it).
/// Counted when a step is persisted, never while an actor replays its journal, so a restart does not count twice.
/// </summary>
public static class EngineMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "CrossMargin.Engine";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Liquidations started.</summary>
    public static Counter<long> LiquidationsStarted { get; } = Meter.CreateCounter<long>("crossmargin.liquidations.started", description: "Liquidations started");

    /// <summary>Liquidations completed.</summary>
    public static Counter<long> LiquidationsCompleted { get; } = Meter.CreateCounter<long>("crossmargin.liquidations.completed", description: "Liquidations finished");

    /// <summary>Reduce-only IOC liquidation orders issued.</summary>
    public static Counter<long> LiquidationOrders { get; } = Meter.CreateCounter<long>("crossmargin.liquidation.orders", description: "Reduce-only IOC liquidation orders issued");

    /// <summary>Auto-deleverage fills against counterparties.</summary>
    public static Counter<long> AdlFills { get; } = Meter.CreateCounter<long>("crossmargin.adl.fills", description: "Auto-deleverage fills");

    /// <summary>Deficit covers paid by the insurance fund (any amount above zero).</summary>
    public static Counter<long> InsuranceCovers { get; } = Meter.CreateCounter<long>("crossmargin.insurance.covers", description: "Deficits covered by the insurance fund");

    /// <summary>Accounts moving into a worse margin state, by the state entered (marginCall, liquidation, bankrupt).</summary>
    public static Counter<long> MarginStateEntered { get; } = Meter.CreateCounter<long>("crossmargin.margin.state.entered",
        description: "Accounts entering margin call, liquidation or bankruptcy");
}
