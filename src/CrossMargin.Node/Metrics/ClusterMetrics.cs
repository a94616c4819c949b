using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CrossMargin.Node.Clustering;

namespace CrossMargin.Node.Metrics;

/// <summary>What a cluster node measures of its transport: the outbound backlog, summed over the bridges running in this process.</summary>
public static class ClusterMetrics
{
    private static readonly Meter Meter = new(NodeMetrics.MeterName);
    private static readonly ConcurrentDictionary<OutboundBridge, byte> Bridges = new();

    /// <summary>Facts waiting to be published to the outbound exchanges (limits coalesced per account).</summary>
    public static ObservableGauge<long> OutboundBacklog { get; } = Meter.CreateObservableGauge("crossmargin.outbound.backlog",
        () => Bridges.Keys.Sum(b => (long)b.Backlog), "{message}", "Facts waiting for the outbound exchanges; account limits count once per account");

    /// <summary>Facts published to the outbound exchanges and confirmed by the broker.</summary>
    public static ObservableCounter<long> OutboundPublished { get; } = Meter.CreateObservableCounter("crossmargin.outbound.published",
        () => Bridges.Keys.Sum(b => b.Published), "{message}", "Facts published to the outbound exchanges and confirmed");

    /// <summary>Account limit changes replaced by a newer one of the same account before they were published.</summary>
    public static ObservableCounter<long> OutboundCoalesced { get; } = Meter.CreateObservableCounter("crossmargin.outbound.coalesced",
        () => Bridges.Keys.Sum(b => b.Coalesced), "{message}", "Account limit changes superseded before publishing");

    /// <summary>Counts <paramref name="bridge"/> in the gauges while it runs.</summary>
    internal static void Track(OutboundBridge bridge) => Bridges.TryAdd(bridge, 0);

    /// <summary>Stops counting <paramref name="bridge"/>.</summary>
    internal static void Untrack(OutboundBridge bridge) => Bridges.TryRemove(bridge, out _);
}
