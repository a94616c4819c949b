using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;

namespace CrossMargin.Engine.Prices;

/// <summary>
/// The static part of the market the price pipeline keeps live: what is listed, the underlyings' forward curves and
/// rates, and which assets have an index price. Prices, marks and vols come from the feed (their starting values from
/// the initial snapshot in <see cref="LatestMarket"/>).
/// </summary>
/// <param name="Instruments">Every listed instrument.</param>
/// <param name="Underlyings">The market of every underlying an instrument names.</param>
/// <param name="Assets">
/// Every asset with an index price: the underlyings and the assets without derivatives (stablecoins, USD).
/// </param>
public sealed record MarketDefinition(IReadOnlyList<Instrument> Instruments, IReadOnlyList<UnderlyingMarket> Underlyings, IReadOnlyList<string> Assets)
{
    /// <summary>
    /// Instruments that had expired before the pipeline started: never priced again, but handed on in every snapshot
    /// (<see cref="MarketSnapshot.FindExpired"/>) so that the positions, orders and journal events naming them resolve
    /// until they are settled. Instruments of <see cref="Instruments"/> join them as they expire.
    /// </summary>
    public IReadOnlyList<Instrument> Expired { get; init; } = [];

    /// <summary>
    /// How far ahead a node knows the contracts its listing schedules will list: they are among <see cref="Instruments"/>
    /// from the start, listed at their time (<see cref="Scheduled"/>). When half of it is left the price feed knows them
    /// this far ahead again (<see cref="ExtendedTo"/>), so a node that runs for years goes on listing.
    /// </summary>
    public static readonly TimeSpan ListingHorizon = TimeSpan.FromDays(3 * 366);

    /// <summary>The venue's listing schedules, whose contracts <see cref="ExtendedTo"/> adds as time passes; none by default.</summary>
    public IReadOnlyList<ListingSchedule> Listing { get; init; } = [];

    /// <summary>Every contract of <see cref="Listing"/> listed at or before this instant is known (among <see cref="Instruments"/> or <see cref="Expired"/>).</summary>
    public DateTimeOffset ListedUntil { get; init; } = DateTimeOffset.MinValue;

    /// <summary>
    /// The contracts of <see cref="Instruments"/> listed after the pipeline started, by symbol: none is priced or in a
    /// snapshot before its <see cref="ListedContract.ListedAt"/>, when it joins the listing at its opening mark until the
    /// feed marks it.
    /// </summary>
    public IReadOnlyDictionary<string, ListedContract> Scheduled { get; init; } = new Dictionary<string, ListedContract>(StringComparer.Ordinal);

    /// <summary>This definition with <paramref name="contracts"/> to be listed at their time.</summary>
    public MarketDefinition WithScheduled(IEnumerable<ListedContract> contracts)
    {
        ArgumentNullException.ThrowIfNull(contracts);
        var scheduled = contracts.ToDictionary(c => c.Instrument.Symbol, StringComparer.Ordinal);
        return this with { Instruments = [.. Instruments, .. scheduled.Values.Select(c => c.Instrument)], Scheduled = scheduled };
    }

    /// <summary>
    /// This definition knowing the contracts of <see cref="Listing"/> listed up to <paramref name="until"/>: those not yet
    /// known join <see cref="Instruments"/> and <see cref="Scheduled"/>. Itself when <paramref name="until"/> is not
    /// past <see cref="ListedUntil"/>. Throws <see cref="ArgumentException"/> when a new contract's symbol is listed on other terms.
    /// </summary>
    public MarketDefinition ExtendedTo(DateTimeOffset until)
    {
        if (until <= ListedUntil)
        {
            return this;
        }

        // The contracts already known are passed as listed by hand: the same terms are skipped, other terms refused.
        var more = ListingSchedule.ContractsUntil(Listing, Instruments.Concat(Expired), until);
        var scheduled = new Dictionary<string, ListedContract>(Scheduled, StringComparer.Ordinal);
        foreach (var contract in more)
        {
            scheduled.Add(contract.Instrument.Symbol, contract);
        }

        return this with { Instruments = [.. Instruments, .. more.Select(c => c.Instrument)], Scheduled = scheduled, ListedUntil = until };
    }

    /// <summary>Whether <paramref name="instrument"/> is listed (or was: expiry aside) at <paramref name="now"/>.</summary>
    public bool IsListedAt(Instrument instrument, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        return !Scheduled.TryGetValue(instrument.Symbol, out var contract) || contract.ListedAt <= now;
    }

    /// <summary>The definition of <paramref name="market"/>: its instruments, the markets of their underlyings, and <paramref name="assets"/>.</summary>
    /// <remarks>A snapshot does not list its assets, so they are named here.</remarks>
    public static MarketDefinition Of(MarketSnapshot market, IReadOnlyList<string> assets)
    {
        ArgumentNullException.ThrowIfNull(market);
        var instruments = market.Instruments.ToArray();
        // Kept across every later index: the forwards keep their basis to the index they were quoted against, rather
        // than stay at the opening's prices while the index moves.
        var underlyings = instruments.Select(i => i.Underlying).Distinct(StringComparer.Ordinal)
            .Select(u => market.UnderlyingOf(u).QuotedAt((double)market.PriceOf(u))).ToArray();
        return new MarketDefinition(instruments, underlyings, assets) { Expired = market.ExpiredInstruments.ToArray() };
    }

    /// <summary>Every problem with this definition against the <paramref name="initial"/> market, or none.</summary>
    public IReadOnlyList<string> Check(MarketSnapshot initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        var errors = new List<string>();
        var assets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var asset in Assets)
        {
            if (!assets.Add(asset))
            {
                errors.Add($"Asset {asset} is named twice.");
            }
            else if (!initial.HasPrice(asset))
            {
                errors.Add($"Asset {asset} has no index price in the initial market.");
            }
        }

        var underlyings = Underlyings.Select(u => u.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var instrument in Instruments)
        {
            foreach (var asset in new[] { instrument.Underlying, instrument.QuoteAsset, instrument.SettlementAsset })
            {
                if (!assets.Contains(asset))
                {
                    errors.Add($"{instrument.Symbol} needs asset {asset}, which is not among the assets.");
                }
            }

            if (!underlyings.Contains(instrument.Underlying))
            {
                errors.Add($"{instrument.Symbol} needs a market for underlying {instrument.Underlying}.");
            }
        }

        return errors;
    }
}
