using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CrossMargin.Engine;
using CrossMargin.Node.Hosting;

namespace CrossMargin.Node.Metrics;

/// <summary>
/// How fresh the node's prices are: the age of each asset's newest accepted index, and how many assets are silent
/// (<see cref="CrossMargin.Engine.Prices.PriceOptions.SilentAfter"/>), over the engines running in this process (one in a deployed
/// node; of several, an asset's oldest age counts, and an asset silent on any of them).
/// </summary>
public static class PriceMetrics
{
    private static readonly Meter Meter = new(NodeMetrics.MeterName);
    private static readonly ConcurrentDictionary<EngineHost, byte> Hosts = new();

    /// <summary>Seconds since the newest accepted index of each asset was stamped, tagged with the asset.</summary>
    public static ObservableGauge<double> IndexAge { get; } = Meter.CreateObservableGauge("crossmargin.price.index_age", IndexAges, "s",
        "Age of each asset's newest accepted index; a feed that stops leaves its last price in force");

    /// <summary>Assets whose newest accepted index is older than Prices:SilentAfter.</summary>
    public static ObservableGauge<long> SilentAssets { get; } = Meter.CreateObservableGauge("crossmargin.prices.silent",
        () => (long)Engines().SelectMany(e => e.SilentAssets()).Distinct(StringComparer.Ordinal).Count(), "{asset}",
        "Assets with no index accepted for Prices:SilentAfter (their liquidations paused)");

    /// <summary>
    /// Index jumps (<see cref="CrossMargin.Engine.Prices.PriceOptions.MaxIndexMoveFraction"/>) per outcome: <c>refused</c>,
    /// <c>confirmed</c> (accepted after the feed confirmed the level), <c>overridden</c> (accepted on an operator's
    /// accept-next-index), <c>adoptedFromPeer</c> (after a refusal, a newer reference another node saved taken as the
    /// band's: this node had missed what let the others through); from every path prices take, the marks exchange included.
    /// </summary>
    public static ObservableCounter<long> IndexJumps { get; } = Meter.CreateObservableCounter("crossmargin.prices.index_jumps", JumpCounts, "{update}",
        "Index updates beyond Prices:MaxIndexMoveFraction from the last accepted index, by outcome");

    /// <summary>Counts <paramref name="host"/>'s engine in the gauges while it runs.</summary>
    internal static void Track(EngineHost host) => Hosts.TryAdd(host, 0);

    /// <summary>Stops counting <paramref name="host"/>.</summary>
    internal static void Untrack(EngineHost host) => Hosts.TryRemove(host, out _);

    private static IEnumerable<RiskEngine> Engines() => Hosts.Keys.Select(h => h.Engine).OfType<RiskEngine>();

    private static IEnumerable<Measurement<long>> JumpCounts()
    {
        var stats = Engines().Select(e => e.PriceStatsNow()).ToArray();
        yield return Jumps("refused", stats.Sum(s => s.RejectedFor(CrossMargin.Engine.Prices.PriceRejectionReason.IndexJump)));
        yield return Jumps("confirmed", stats.Sum(s => s.IndexJumpsConfirmed));
        yield return Jumps("overridden", stats.Sum(s => s.IndexJumpsOverridden));
        yield return Jumps("adoptedFromPeer", stats.Sum(s => s.IndexReferencesAdoptedFromPeers));
    }

    private static Measurement<long> Jumps(string outcome, long count) => new(count, new KeyValuePair<string, object?>("outcome", outcome));

    private static IEnumerable<Measurement<double>> IndexAges() =>
        Engines().SelectMany(e => e.IndexAges())
            .GroupBy(a => a.Key, StringComparer.Ordinal)
            .Select(g => new Measurement<double>(g.Max(a => a.Value).TotalSeconds, new KeyValuePair<string, object?>("asset", g.Key)));
}
