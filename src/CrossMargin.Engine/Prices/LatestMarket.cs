using CrossMargin.Risk.Market;

namespace CrossMargin.Engine.Prices;

/// <summary>
/// The newest published <see cref="MarketSnapshot"/> of this node, shared by reference: the price actors replace it,
/// every account reads it. A snapshot is immutable, so readers never see a half-built market; swapping the reference
/// is atomic.
/// </summary>
/// <remarks>
/// Accounts read it when they start or handle a command, so an account that was asleep during a mark still margins at
/// the newest market. <see cref="MarketChanged"/> is what wakes the accounts a change concerns.
/// </remarks>
public sealed class LatestMarket
{
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

    /// <summary>Makes <paramref name="snapshot"/> the newest and returns its version.</summary>
    public long Publish(MarketSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Volatile.Write(ref _current, snapshot);
        return Interlocked.Increment(ref _version);
    }
}
