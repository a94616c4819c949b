using System.Globalization;

namespace CrossMargin.Risk.Instruments;

/// <summary>
/// How a venue lists dated contracts of one kind as time passes, as a venue does rather than by hand: the next
/// <see cref="Count"/> expiries of its <see cref="Cycle"/> are listed at any time, each from the expiry <see cref="Count"/>
/// before it in the cycle (when the nearest expires the next joins the far end). A pure function of the clock, so every
/// node of a cluster and every restart lists the same contracts; only contracts expiring after <see cref="After"/> are
/// the schedule's (those before it are listed by hand).
/// </summary>
/// <remarks>
/// Symbols follow the venue's: <c>BTC-25JUN27</c>, <c>BTC-29JAN27-60000-C</c>, with <c>-INV</c> appended when inverse.
/// An option schedule lists a call and a put at every strike of its <see cref="Strikes"/> grid, which is centred on a
/// fixed reference price, not on the live index: a grid that moved with the index would differ between nodes and
/// restarts unless the listing itself were journaled.
/// </remarks>
public sealed record ListingSchedule
{
    /// <summary>The least and most expiries a schedule keeps listed.</summary>
    public const int MaxCount = 12;

    /// <summary>The most strikes either side of an option grid's centre.</summary>
    public const int MaxStrikesEachSide = 20;

    private static readonly TimeSpan ExpiryTime = TimeSpan.FromHours(8);

    private readonly decimal _lotSize = Instrument.DefaultLotSize;

    /// <summary>Checks and builds a schedule; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    /// <param name="underlying">The contracts' underlying.</param>
    /// <param name="quoteAsset">Their quote asset.</param>
    /// <param name="settlement">Linear (settled in the quote asset) or inverse (in the underlying).</param>
    /// <param name="contractSize">Their contract size.</param>
    /// <param name="tickSize">Their tick size.</param>
    /// <param name="cycle">Which expiries.</param>
    /// <param name="count">How many expiries are listed at any time (1 to <see cref="MaxCount"/>).</param>
    /// <param name="after">Only contracts expiring after this instant are the schedule's.</param>
    /// <param name="strikes">The strike grid of an option schedule; null for futures.</param>
    public ListingSchedule(string underlying, string quoteAsset, SettlementKind settlement, decimal contractSize, decimal tickSize,
        ListingCycle cycle, int count, DateTimeOffset after, OptionStrikes? strikes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(underlying);
        ArgumentException.ThrowIfNullOrWhiteSpace(quoteAsset);
        if (count is < 1 or > MaxCount)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count: {count} expiries; a schedule lists 1 to {MaxCount}.");
        }

        if (strikes is not null)
        {
            if (strikes.Step <= 0 || strikes.Reference <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(strikes), $"strikes: reference {strikes.Reference} and step {strikes.Step} must be positive.");
            }

            if (strikes.EachSide is < 0 or > MaxStrikesEachSide)
            {
                throw new ArgumentOutOfRangeException(nameof(strikes), $"strikes.eachSide: {strikes.EachSide}; 0 to {MaxStrikesEachSide}.");
            }

            if (!double.IsFinite(strikes.OpeningVol) || strikes.OpeningVol <= 0 || strikes.OpeningVol > 10)
            {
                throw new ArgumentOutOfRangeException(nameof(strikes), $"strikes.openingVol: {strikes.OpeningVol} must be above 0 and at most 10 (1000%).");
            }

            if (Centre(strikes) - (strikes.EachSide * strikes.Step) <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(strikes),
                    $"strikes: {strikes.EachSide} steps of {strikes.Step} below {Centre(strikes)} reach a strike at or below zero.");
            }
        }

        // A contract of a bad size or tick is refused here, at start, not when it is listed.
        _ = new Future("check", underlying, quoteAsset, settlement == SettlementKind.Linear ? quoteAsset : underlying, settlement, contractSize, tickSize, after);
        Underlying = underlying;
        QuoteAsset = quoteAsset;
        Settlement = settlement;
        ContractSize = contractSize;
        TickSize = tickSize;
        Cycle = cycle;
        Count = count;
        After = after;
        Strikes = strikes;
    }

    /// <summary>The contracts' underlying.</summary>
    public string Underlying { get; }

    /// <summary>Their quote asset.</summary>
    public string QuoteAsset { get; }

    /// <summary>Linear or inverse.</summary>
    public SettlementKind Settlement { get; }

    /// <summary>Their contract size.</summary>
    public decimal ContractSize { get; }

    /// <summary>Their tick size.</summary>
    public decimal TickSize { get; }

    /// <summary>Their lot size (<see cref="Instrument.LotSize"/>), <see cref="Instrument.DefaultLotSize"/> unless given. Positive.</summary>
    public decimal LotSize
    {
        get => _lotSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(LotSize));
            _lotSize = value;
        }
    }

    /// <summary>Which expiries are listed.</summary>
    public ListingCycle Cycle { get; }

    /// <summary>How many expiries are listed at any time.</summary>
    public int Count { get; }

    /// <summary>Only contracts expiring after this instant are the schedule's.</summary>
    public DateTimeOffset After { get; }

    /// <summary>The strike grid when the schedule lists options; null when it lists futures.</summary>
    public OptionStrikes? Strikes { get; }

    /// <summary>
    /// Every contract of the schedule listed at or before <paramref name="until"/>, expired or not, in order of expiry
    /// (then symbol): what a node needs to know to list, price and settle them, and to read journals that name them.
    /// </summary>
    public IReadOnlyList<ListedContract> ContractsUntil(DateTimeOffset until)
    {
        var contracts = new List<ListedContract>();
        // The cycle's expiries from the one Count before the first of the schedule's: the first's listing time.
        var expiries = new List<DateTimeOffset>();
        var month = new DateTimeOffset(After.Year, After.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-3 * Count - 3);
        for (; ; month = month.AddMonths(1))
        {
            if (Cycle == ListingCycle.Quarterly && month.Month % 3 != 0)
            {
                continue;
            }

            expiries.Add(LastFriday(month.Year, month.Month));
            var last = expiries.Count - 1;
            if (last < Count || expiries[last] <= After)
            {
                continue;
            }

            var listedAt = expiries[last - Count];
            if (listedAt > until)
            {
                return contracts;
            }

            contracts.AddRange(ContractsAt(expiries[last], listedAt));
        }
    }

    /// <summary>
    /// Every contract of <paramref name="schedules"/> listed at or before <paramref name="until"/> (see
    /// <see cref="ContractsUntil(DateTimeOffset)"/>) but those <paramref name="listedByHand"/> lists the same: a symbol
    /// listed both ways on different terms, or by two schedules, is refused with an <see cref="ArgumentException"/>.
    /// </summary>
    public static IReadOnlyList<ListedContract> ContractsUntil(IEnumerable<ListingSchedule> schedules, IEnumerable<Instrument> listedByHand, DateTimeOffset until)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(listedByHand);
        var byHand = listedByHand.ToDictionary(i => i.Symbol, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var contracts = new List<ListedContract>();
        foreach (var contract in schedules.SelectMany(s => s.ContractsUntil(until)))
        {
            var symbol = contract.Instrument.Symbol;
            if (!seen.Add(symbol))
            {
                throw new ArgumentException($"listing: {symbol} is listed by two schedules.");
            }

            if (byHand.TryGetValue(symbol, out var listed))
            {
                if (listed != contract.Instrument)
                {
                    throw new ArgumentException($"listing: {symbol} is listed by hand on other terms than its schedule's ({listed} against {contract.Instrument}).");
                }

                continue;
            }

            contracts.Add(contract);
        }

        return [.. contracts.OrderBy(c => c.Instrument.Expiry).ThenBy(c => c.Instrument.Symbol, StringComparer.Ordinal)];
    }

    /// <summary>The last Friday of <paramref name="month"/> of <paramref name="year"/> at 08:00 UTC.</summary>
    public static DateTimeOffset LastFriday(int year, int month)
    {
        var day = new DateTimeOffset(year, month, DateTime.DaysInMonth(year, month), 0, 0, 0, TimeSpan.Zero);
        var back = ((int)day.DayOfWeek - (int)DayOfWeek.Friday + 7) % 7;
        return day.AddDays(-back) + ExpiryTime;
    }

    private IEnumerable<ListedContract> ContractsAt(DateTimeOffset expiry, DateTimeOffset listedAt)
    {
        var settlementAsset = Settlement == SettlementKind.Linear ? QuoteAsset : Underlying;
        var date = expiry.ToString("ddMMMyy", CultureInfo.InvariantCulture).ToUpperInvariant();
        var suffix = Settlement == SettlementKind.Inverse ? "-INV" : "";
        if (Strikes is not { } grid)
        {
            yield return new ListedContract(new Future($"{Underlying}-{date}{suffix}", Underlying, QuoteAsset, settlementAsset, Settlement, ContractSize, TickSize, expiry)
                { LotSize = LotSize }, listedAt, null);
            yield break;
        }

        var centre = Centre(grid);
        for (var i = -grid.EachSide; i <= grid.EachSide; i++)
        {
            var strike = centre + (i * grid.Step);
            var text = strike.ToString("0.########", CultureInfo.InvariantCulture);
            foreach (var kind in new[] { OptionKind.Call, OptionKind.Put })
            {
                var letter = kind == OptionKind.Call ? "C" : "P";
                yield return new ListedContract(new OptionContract($"{Underlying}-{date}-{text}-{letter}{suffix}", Underlying, QuoteAsset, settlementAsset, Settlement,
                    ContractSize, TickSize, expiry, kind, strike) { LotSize = LotSize }, listedAt, grid.OpeningVol);
            }
        }
    }

    private static decimal Centre(OptionStrikes grid) => Math.Round(grid.Reference / grid.Step, MidpointRounding.AwayFromZero) * grid.Step;
}
