using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The instrument lookup of a market as a delegate, made once per snapshot: <c>market.FindInstrument</c> as a method group
/// allocates a new delegate at every use, and every command applies its events twice (the decider's copy, then the account).
/// Expired instruments resolve too (<see cref="MarketSnapshot.FindListedOrExpired"/>): a journal naming one must still
/// replay after its expiry, and its settlement applies to it.
/// </summary>
internal static class InstrumentLookup
{
    // Per thread, so that no thread sees another's half-made pair and a test's thread sees only its own markets; a
    // thread keeps its last market alive until it meets the next.
    [ThreadStatic]
    private static Cached? _latest;

    /// <summary>A delegate finding instruments in <paramref name="market"/>: the same one while the thread meets the same market.</summary>
    public static Func<string, Instrument?> Of(MarketSnapshot market)
    {
        var latest = _latest;
        if (latest is not null && ReferenceEquals(latest.Market, market))
        {
            return latest.Find;
        }

        latest = new Cached(market, market.FindListedOrExpired);
        _latest = latest;
        return latest.Find;
    }

    private sealed record Cached(MarketSnapshot Market, Func<string, Instrument?> Find);
}
