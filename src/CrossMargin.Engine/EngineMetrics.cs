using System.Diagnostics.Metrics;
using CrossMargin.Actors;

namespace CrossMargin.Engine;

/// <summary>
/// The engine's counters, histogram and gauge, on one <see cref="Meter"/> named <see cref="MeterName"/> (the node's
/// exporter listens to it). Counted when a step is persisted, never while an actor replays its journal, so a restart
/// does not count twice.
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

    /// <summary>
    /// Auto-deleverage fills left unbalanced: the counterparty's side stands, its bankrupt side was refused, and its
    /// reversal was refused too (or none was sent: the bankrupt side refused as an id already applied). Each needs an
    /// operator (<c>cm liquidations unbalanced</c>) and is counted once, when found: a refused rebooking leaves the same fill unbalanced.
    /// </summary>
    public static Counter<long> AdlUnbalanced { get; } = Meter.CreateCounter<long>("crossmargin.adl.unbalanced",
        description: "Auto-deleverage fills whose counterparty's side stands without the bankrupt side (reversal refused)");

    /// <summary>Operators' rebookings of unbalanced auto-deleverage fills the counterparty booked (each journaled: <c>AutoDeleverageRebookingBooked</c>).</summary>
    public static Counter<long> AdlRebooked { get; } = Meter.CreateCounter<long>("crossmargin.adl.rebooked",
        description: "Rebookings of unbalanced auto-deleverage fills the counterparty booked: the pair nets again");

    /// <summary>Auto-deleverage fills unbalanced and not booked since, as the running coordinator knows them.</summary>
    public static ObservableGauge<long> AdlUnbalancedOpen { get; } = Meter.CreateObservableGauge("crossmargin.adl.unbalanced_open",
        () => Liquidations.LiquidationCoordinator.UnbalancedOpen, description: "Auto-deleverage fills unbalanced and not rebooked, as the running coordinator knows them");

    /// <summary>Counterparty views that answered a request no auto-deleverage round awaited any more (dropped).</summary>
    public static Counter<long> AdlStaleViews { get; } = Meter.CreateCounter<long>("crossmargin.adl.stale_views", description: "Counterparty views for another request, dropped");

    /// <summary>Views of a liquidated account that answered a request no longer awaited (a later one was sent, or none was; dropped).</summary>
    public static Counter<long> LiquidationStaleViews { get; } = Meter.CreateCounter<long>("crossmargin.liquidation.stale_views", description: "Liquidated accounts' views for an earlier request, dropped");

    /// <summary>
    /// The venue's liquidation reports the coordinator ignored, by <c>reason</c>: <c>notOutstanding</c> (an order it did
    /// not issue, or one already reported), <c>impossible</c> (more filled than ordered, a price not positive, or an
    /// average worse than the order's limit) or <c>quantityOffLot</c> (a fill not a whole number of the instrument's
    /// lots). They were answered (202) and acked before the coordinator read them.
    /// </summary>
    public static Counter<long> LiquidationReportsIgnored { get; } = Meter.CreateCounter<long>("crossmargin.liquidation.reports_ignored",
        description: "Liquidation reports ignored by the coordinator, by reason");

    /// <summary>
    /// Positions an account held off its instrument's lot when it recovered, by <c>symbol</c>: booked before lots were
    /// enforced, or by a <c>lotSize</c> the market file has changed since. Kept and margined; they trade down in whole lots
    /// and close by one fill of the whole position (the venue's close-position order). Counted at each recovery.
    /// </summary>
    public static Counter<long> PositionsOffLot { get; } = Meter.CreateCounter<long>("crossmargin.positions.off_lot",
        description: "Positions off their instrument's lot found when an account recovered, by symbol");

    /// <summary>Deficit covers paid by the insurance fund (any amount above zero).</summary>
    public static Counter<long> InsuranceCovers { get; } = Meter.CreateCounter<long>("crossmargin.insurance.covers", description: "Deficits covered by the insurance fund");

    /// <summary>
    /// Milliseconds from an account actor taking an execution from its mailbox to its margin recomputed with the
    /// execution durable (journal commit included; the reply and the queueing before the actor are not).
    /// </summary>
    public static Histogram<double> ExecutionMarginLatency { get; } = Meter.CreateHistogram("crossmargin.execution.margin_latency", "ms",
        "Time from an account actor taking an execution to its margin recomputed after the event is durable",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000] });

    /// <summary>The counter behind <see cref="AccountMailboxBacklog"/>, carried by the props of every account actor of the engine's region.</summary>
    internal static MailboxCounter AccountMailboxes { get; } = new();

    /// <summary>Messages waiting in the mailboxes of the account actors of every region <see cref="RiskEngine"/> started.</summary>
    public static ObservableGauge<long> AccountMailboxBacklog { get; } = Meter.CreateObservableGauge("crossmargin.accounts.mailbox_backlog",
        () => AccountMailboxes.Count, "{message}", "Messages waiting in the account actors' mailboxes, all accounts together");

    /// <summary>
    /// USD that completed liquidations left uncovered (the fund could not pay, the account flat) and nobody covered since:
    /// the exchange's exposure, as the coordinator running in this process knows it (0 on a node that does not run it).
    /// </summary>
    public static ObservableGauge<double> LiquidationUncovered { get; } = Meter.CreateObservableGauge("crossmargin.liquidation.uncovered_usd",
        () => Liquidations.LiquidationCoordinator.UncoveredUsd, description: "Deficits left uncovered by completed liquidations and not covered since, USD");

    /// <summary>Accounts moving into a worse margin state, by the state entered (marginCall, liquidation, bankrupt).</summary>
    public static Counter<long> MarginStateEntered { get; } = Meter.CreateCounter<long>("crossmargin.margin.state.entered",
        description: "Accounts entering margin call, liquidation or bankruptcy");
}
