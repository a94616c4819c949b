using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The instrument lookup of a market as a delegate, made once per snapshot: <c>market.FindInstrument</c> as a method group
/// allocates a new delegate at every use, and every command applies its events twice (the decider's copy, then the account).
/// </summary>
internal static class InstrumentLookup
{
    // The newest market's lookup; a command decided at an older one (a race with a market change) just makes its own.
    private static volatile Cached? _latest;

    /// <summary>A delegate finding instruments in <paramref name="market"/>.</summary>
    public static Func<string, Instrument?> Of(MarketSnapshot market)
    {
        var latest = _latest;
        if (latest is not null && ReferenceEquals(latest.Market, market))
        {
            return latest.Find;
        }

        latest = new Cached(market, market.FindInstrument);
        _latest = latest;
        return latest.Find;
    }

    private sealed record Cached(MarketSnapshot Market, Func<string, Instrument?> Find);
}
