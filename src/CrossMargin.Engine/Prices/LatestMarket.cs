using System.Collections.Concurrent;
using System.Collections.Frozen;
using CrossMargin.Risk.Market;

namespace CrossMargin.Engine.Prices;

/// <summary>
/// The newest published <see cref="MarketSnapshot"/> of this node, shared by reference: the price actors replace it,
/// every account reads it. A snapshot is immutable, so readers never see a half-built market; swapping the reference
/// is atomic.
/// </summary>
/// <remarks>
/// Accounts read it when they start or handle a command, so an account that was asleep during a mark still margins at
/// the newest market. <see cref="MarketChanged"/> is what wakes the accounts a change concerns. It also holds when each
/// asset's newest index was accepted (<see cref="IndexTimes"/>), so whoever holds it (the liquidation coordinator, the
/// node's metrics and readiness) sees a feed that has gone silent; in a cluster every node's feed gets the same prices.
/// An asset the market needs that has had no index since the node started is silent too, counted from the start
/// (<see cref="AwaitIndexes"/>): a node started while its feed is down would otherwise margin and liquidate at its
/// opening prices with no alarm.
/// </remarks>
public sealed class LatestMarket
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _indexTimes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _awaited = new(StringComparer.Ordinal);
    private MarketSnapshot _current;
    private long _version;

    /// <summary>Starts with <paramref name="initial"/> as version 1.</summary>
    public LatestMarket(MarketSnapshot initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
        _version = 1;
    }

    /// <summary>The newest snapshot.</summary>
    public MarketSnapshot Current => Volatile.Read(ref _current);

    /// <summary>How many snapshots have been published, the initial one included.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>
    /// The timestamp of the newest accepted index of each asset that had one accepted since this node started; an asset
    /// the feed never priced here is absent (its age is unknown, and is not taken for silence).
    /// </summary>
    public FrozenDictionary<string, DateTimeOffset> IndexTimes => _indexTimes.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>When <paramref name="asset"/>'s newest accepted index was stamped, or null when none was accepted here.</summary>
    public DateTimeOffset? IndexTimeOf(string asset) => _indexTimes.TryGetValue(asset, out var time) ? time : null;

    /// <summary>
    /// What each asset's silence is counted from: its newest accepted index time, or, for an asset the market needs that
    /// had none accepted here yet, when this node started waiting for it (<see cref="AwaitIndexes"/>). An asset in neither
    /// (a stablecoin a feed may never send) is absent.
    /// </summary>
    public FrozenDictionary<string, DateTimeOffset> HeardTimes =>
        _awaited.Where(a => !_indexTimes.ContainsKey(a.Key)).Concat(_indexTimes).ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The newest accepted index time of <paramref name="asset"/>, else when this node started waiting for one, else null.</summary>
    public DateTimeOffset? HeardTimeOf(string asset) => IndexTimeOf(asset) ?? (_awaited.TryGetValue(asset, out var since) ? since : null);

    /// <summary>
    /// Whether <paramref name="asset"/> has gone <paramref name="silentAfter"/> without an accepted index at
    /// <paramref name="now"/>, counted from <see cref="HeardTimeOf"/>: an asset the market needs is silent from the node's
    /// start until its first index, an asset neither needed nor ever priced here never is.
    /// </summary>
    public bool IsSilent(string asset, DateTimeOffset now, TimeSpan silentAfter) => HeardTimeOf(asset) is { } time && now - time > silentAfter;

    /// <summary>
    /// Marks <paramref name="assets"/> (the underlyings of the listed instruments) as needed from <paramref name="since"/>:
    /// each without an accepted index is silent once <see cref="IsSilent"/>'s bound has passed since then. The first call
    /// for an asset wins (a restarted feed does not restart the count). Called by the price feed when it starts.
    /// </summary>
    public void AwaitIndexes(IEnumerable<string> assets, DateTimeOffset since)
    {
        ArgumentNullException.ThrowIfNull(assets);
        foreach (var asset in assets)
        {
            _awaited.TryAdd(asset, since);
        }
    }

    /// <summary>Records that <paramref name="asset"/>'s index stamped <paramref name="timestamp"/> was accepted; called by the price actor that owns the asset.</summary>
    public void RecordIndexTime(string asset, DateTimeOffset timestamp) => _indexTimes[asset] = timestamp;

    /// <summary>Makes <paramref name="snapshot"/> the newest and returns its version.</summary>
    public long Publish(MarketSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Volatile.Write(ref _current, snapshot);
        return Interlocked.Increment(ref _version);
    }
}
