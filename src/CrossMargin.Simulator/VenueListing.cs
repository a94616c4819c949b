using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;

namespace CrossMargin.Simulator;

/// <summary>
/// The dated contracts the simulated traders open their books in, chosen from what the market lists at its valuation
/// time rather than named, so the simulated venue keeps opening as its listing rolls past expiries (a named contract
/// that had expired stopped the node at start). A contract within <see cref="MinTimeToExpiry"/> of its expiry is never
/// chosen: a book opened in it would be settled before it traded. Null where nothing fits.
/// </summary>
public sealed class VenueListing
{
    /// <summary>The least time to expiry a contract must have left to be chosen.</summary>
    public static readonly TimeSpan MinTimeToExpiry = TimeSpan.FromDays(1);

    private readonly MarketSnapshot _market;

    /// <summary>Chooses among the instruments <paramref name="market"/> lists at its valuation time.</summary>
    public VenueListing(MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(market);
        _market = market;
    }

    /// <summary>The linear dated future on <paramref name="underlying"/> that expires first (after the least time left).</summary>
    public Future? DatedFuture(string underlying) =>
        Dated<Future>(underlying).OrderBy(f => f.Expiry).ThenBy(f => f.Symbol, StringComparer.Ordinal).FirstOrDefault();

    /// <summary>
    /// The linear <paramref name="kind"/> on <paramref name="underlying"/> of the first expiry (after the least time left)
    /// whose strike is nearest <paramref name="moneyness"/> times the underlying's price (the lower strike on a tie).
    /// </summary>
    public OptionContract? Option(string underlying, OptionKind kind, decimal moneyness)
    {
        var options = Dated<OptionContract>(underlying).Where(o => o.Kind == kind).ToArray();
        if (options.Length == 0)
        {
            return null;
        }

        var expiry = options.Min(o => o.Expiry!.Value);
        var target = moneyness * _market.PriceOf(underlying);
        return options.Where(o => o.Expiry == expiry).OrderBy(o => Math.Abs(o.Strike - target)).ThenBy(o => o.Strike).First();
    }

    private IEnumerable<T> Dated<T>(string underlying)
        where T : Instrument =>
        _market.Instruments.OfType<T>().Where(i => i.Underlying == underlying && i.Settlement == SettlementKind.Linear
            && i.Expiry is { } expiry && expiry - _market.ValuationTime >= MinTimeToExpiry);
}
