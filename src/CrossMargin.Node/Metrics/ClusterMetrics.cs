using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CrossMargin.Node.Clustering;

namespace CrossMargin.Node.Metrics;

/// <summary>
/// What a cluster node measures of its transport and coordination: the outbound backlog, the shard deliveries held for
/// a sequence gap, and the shard plans it was refused to write, summed over the nodes running in this process.
/// </summary>
public static class ClusterMetrics
{
    private static readonly Meter Meter = new(NodeMetrics.MeterName);
    private static readonly ConcurrentDictionary<OutboundBridge, byte> Bridges = new();
    private static readonly ConcurrentDictionary<SequenceHold, byte> Holds = new();
    private static readonly ConcurrentDictionary<object, Func<long>> RefusedPlans = new();

    /// <summary>Facts waiting to be published to the outbound exchanges (limits coalesced per account).</summary>
    public static ObservableGauge<long> OutboundBacklog { get; } = Meter.CreateObservableGauge("crossmargin.outbound.backlog",
        () => Bridges.Keys.Sum(b => (long)b.Backlog), "{message}", "Facts waiting for the outbound exchanges; account limits count once per account");

    /// <summary>Facts published to the outbound exchanges and confirmed by the broker.</summary>
    public static ObservableCounter<long> OutboundPublished { get; } = Meter.CreateObservableCounter("crossmargin.outbound.published",
        () => Bridges.Keys.Sum(b => b.Published), "{message}", "Facts published to the outbound exchanges and confirmed");

    /// <summary>Account limit changes replaced by a newer one of the same account before they were published.</summary>
    public static ObservableCounter<long> OutboundCoalesced { get; } = Meter.CreateObservableCounter("crossmargin.outbound.coalesced",
        () => Bridges.Keys.Sum(b => b.Coalesced), "{message}", "Account limit changes superseded before publishing");

    /// <summary>Shard deliveries held now because they skip ahead of their source (<see cref="SequenceHold"/>).</summary>
    public static ObservableGauge<long> HeldDeliveries { get; } = Meter.CreateObservableGauge("crossmargin.shard.held_deliveries",
        () => Holds.Keys.Sum(h => h.HeldNow), "{message}", "Shard deliveries held waiting for the missing sequence numbers of their source");

    /// <summary>Held shard deliveries applied with their gap because the wait expired.</summary>
    public static ObservableCounter<long> GapsAppliedAfterHold { get; } = Meter.CreateObservableCounter("crossmargin.shard.gaps_applied_after_hold",
        () => Holds.Keys.Sum(h => h.AppliedWithGap), "{message}", "Held shard deliveries applied with a sequence gap after the wait expired");

    /// <summary>
    /// Shard plans this node wrote as coordinator and the database refused because it no longer held the coordinator
    /// singleton at its epoch (<c>ClusterNode.RefusedPlanWrites</c>). Any increase means a coordinator froze or lost its
    /// lease mid-tick: harmless by itself (the plan is not written), worth a look when it repeats.
    /// </summary>
    public static ObservableCounter<long> RefusedPlanWrites { get; } = Meter.CreateObservableCounter("crossmargin.cluster.refused_plan_writes",
        () => RefusedPlans.Values.Sum(refused => refused()), "{plan}", "Shard plans the database refused because the writing coordinator no longer held its lease");

    /// <summary>Counts what <paramref name="refused"/> reports in <see cref="RefusedPlanWrites"/> until <paramref name="owner"/> is untracked.</summary>
    internal static void TrackRefusedPlanWrites(object owner, Func<long> refused) => RefusedPlans[owner] = refused;

    /// <summary>Stops counting <paramref name="owner"/>'s refused plan writes.</summary>
    internal static void UntrackRefusedPlanWrites(object owner) => RefusedPlans.TryRemove(owner, out _);

    /// <summary>Counts <paramref name="hold"/> in the gauges while its node runs.</summary>
    internal static void Track(SequenceHold hold) => Holds.TryAdd(hold, 0);

    /// <summary>Stops counting <paramref name="hold"/>.</summary>
    internal static void Untrack(SequenceHold hold) => Holds.TryRemove(hold, out _);

    /// <summary>Counts <paramref name="bridge"/> in the gauges while it runs.</summary>
    internal static void Track(OutboundBridge bridge) => Bridges.TryAdd(bridge, 0);

    /// <summary>Stops counting <paramref name="bridge"/>.</summary>
    internal static void Untrack(OutboundBridge bridge) => Bridges.TryRemove(bridge, out _);
}
