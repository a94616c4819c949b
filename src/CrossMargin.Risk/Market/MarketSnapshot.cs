using System.Collections.Frozen;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Risk.Market;

/// <summary>
/// The market at one valuation instant: the instruments listed, every asset's index price in USD (the valuation
/// currency), the underlyings' forwards and rates, and each instrument's mark (options also carry a vol).
/// Immutable; everything derived from it (option inputs, smiles) is computed once, here.
/// </summary>
/// <remarks>
/// The index of an underlying is its asset price. Prices quoted in a stablecoin are treated as USD for forwards and
/// option inputs, and converted at the stablecoin's own price where money changes hands (P&amp;L, notional).
/// </remarks>
public sealed class MarketSnapshot
{
    private readonly FrozenDictionary<string, Instrument> _instruments;
    private readonly FrozenDictionary<string, decimal> _assetPrices;
    private readonly FrozenDictionary<string, UnderlyingMarket> _underlyings;
    private readonly FrozenDictionary<string, InstrumentMark> _marks;
    private readonly FrozenDictionary<string, OptionInputs> _options;
    private readonly FrozenDictionary<(string Underlying, DateTimeOffset Expiry), VolSmile> _smiles;
    private readonly ExpiredSet _expired;

    /// <summary>Builds and checks a snapshot; throws <see cref="ArgumentException"/> naming what is missing or wrong.</summary>
    /// <param name="valuationTime">The instant everything is valued at.</param>
    /// <param name="instruments">The instruments listed (none expired at <paramref name="valuationTime"/>).</param>
    /// <param name="assetPrices">Every asset's USD index price.</param>
    /// <param name="underlyings">The market of every underlying an instrument names.</param>
    /// <param name="marks">One mark per listed instrument.</param>
    /// <param name="expired">
    /// Instruments that expired at or before <paramref name="valuationTime"/>: not listed, never valued, kept only so that
    /// positions, orders and journal events naming them still resolve until they are settled (<see cref="FindExpired"/>).
    /// An <see cref="ExpiredSet"/> is kept as it is (shared with the snapshots given it too), anything else is built into one.
    /// </param>
    public MarketSnapshot(
        DateTimeOffset valuationTime,
        IEnumerable<Instrument> instruments,
        IReadOnlyDictionary<string, decimal> assetPrices,
        IEnumerable<UnderlyingMarket> underlyings,
        IEnumerable<InstrumentMark> marks,
        IEnumerable<Instrument>? expired = null)
    {
        ValuationTime = valuationTime;
        _instruments = ToUniqueDictionary(instruments, i => i.Symbol, "instrument");
        _expired = expired as ExpiredSet ?? new ExpiredSet(expired ?? []);
        if (_expired.LastExpiry > valuationTime)
        {
            var late = _expired.First(i => !i.IsExpiredAt(valuationTime));
            throw new ArgumentException($"{late.Symbol} is given as expired but expires at {late.Expiry:O}, after the valuation time {valuationTime:O}.", nameof(expired));
        }

        // Checked from the listed side: the expired set may be hundreds of contracts, shared by every snapshot.
        foreach (var symbol in _instruments.Keys)
        {
            if (_expired.Find(symbol) is not null)
            {
                throw new ArgumentException($"{symbol} is given both as listed and as expired.", nameof(expired));
            }
        }

        _underlyings = ToUniqueDictionary(underlyings, u => u.Name, "underlying");
        _marks = ToUniqueDictionary(marks, m => m.Symbol, "mark");
        foreach (var (asset, price) in assetPrices)
        {
            if (price <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(assetPrices), $"Price of {asset} must be positive, not {price}.");
            }
        }

        _assetPrices = assetPrices.ToFrozenDictionary(StringComparer.Ordinal);

        foreach (var instrument in _instruments.Values)
        {
            Check(instrument);
        }

        foreach (var mark in _marks.Values)
        {
            if (!_instruments.ContainsKey(mark.Symbol))
            {
                throw new ArgumentException($"Mark for unknown instrument {mark.Symbol}.", nameof(marks));
            }
        }

        _options = _instruments.Values.OfType<OptionContract>()
            .Select(BuildOptionInputs)
            .ToFrozenDictionary(o => o.Option.Symbol, StringComparer.Ordinal);
        _smiles = _options.Values
            .GroupBy(o => (o.Option.Underlying, Expiry: o.Option.Expiry!.Value))
            .ToFrozenDictionary(g => g.Key, g => new VolSmile(g.Select(o => ((double)o.Option.Strike, o.Volatility))));
    }

    /// <summary>The instant everything is valued at; option time to expiry is measured from it.</summary>
    public DateTimeOffset ValuationTime { get; }

    /// <summary>Every instrument listed in the snapshot.</summary>
    public IEnumerable<Instrument> Instruments => _instruments.Values;

    /// <summary>Every asset's USD index price, by asset code.</summary>
    public IReadOnlyDictionary<string, decimal> AssetPrices => _assetPrices;

    /// <summary>The market of every underlying listed.</summary>
    public IEnumerable<UnderlyingMarket> UnderlyingMarkets => _underlyings.Values;

    /// <summary>The Black-76 inputs of every option, by symbol.</summary>
    public IReadOnlyDictionary<string, OptionInputs> Options => _options;

    /// <summary>The instrument called <paramref name="symbol"/>, or null.</summary>
    public Instrument? FindInstrument(string symbol) => _instruments.GetValueOrDefault(symbol);

    /// <summary>The instruments that expired at or before <see cref="ValuationTime"/> and are kept for settlement (never valued).</summary>
    public ExpiredSet ExpiredInstruments => _expired;

    /// <summary>True when the snapshot keeps any expired instrument (<see cref="ExpiredInstruments"/>).</summary>
    public bool HasExpired => _expired.Count > 0;

    /// <summary>The expired instrument called <paramref name="symbol"/>, or null (also when it is listed).</summary>
    public Instrument? FindExpired(string symbol) => _expired.Find(symbol);

    /// <summary>The instrument called <paramref name="symbol"/>, listed or expired, or null: what journal events are applied with.</summary>
    public Instrument? FindListedOrExpired(string symbol) => FindInstrument(symbol) ?? FindExpired(symbol);

    /// <summary>The instrument called <paramref name="symbol"/>; throws naming it when it is not listed.</summary>
    public Instrument GetInstrument(string symbol) =>
        FindInstrument(symbol) ?? throw new ArgumentException($"Unknown instrument {symbol}.", nameof(symbol));

    /// <summary>True when the snapshot has a USD index price for <paramref name="asset"/>.</summary>
    public bool HasPrice(string asset) => _assetPrices.ContainsKey(asset);

    /// <summary>USD index price of one unit of <paramref name="asset"/>.</summary>
    public decimal PriceOf(string asset) =>
        _assetPrices.TryGetValue(asset, out var p) ? p : throw new ArgumentException($"No index price for asset {asset}.", nameof(asset));

    /// <summary>The mark of <paramref name="symbol"/>, or null when the snapshot has none.</summary>
    public InstrumentMark? FindMark(string symbol) => _marks.GetValueOrDefault(symbol);

    /// <summary>The mark of <paramref name="symbol"/>.</summary>
    public InstrumentMark MarkOf(string symbol) =>
        _marks.TryGetValue(symbol, out var m) ? m : throw new ArgumentException($"No mark for instrument {symbol}.", nameof(symbol));

    /// <summary>The market of the underlying <paramref name="name"/>.</summary>
    public UnderlyingMarket UnderlyingOf(string name) =>
        _underlyings.TryGetValue(name, out var u) ? u : throw new ArgumentException($"No market for underlying {name}.", nameof(name));

    /// <summary>The Black-76 inputs of option <paramref name="symbol"/>.</summary>
    public OptionInputs OptionInputsOf(string symbol) =>
        _options.TryGetValue(symbol, out var o) ? o : throw new ArgumentException($"{symbol} is not a listed option.", nameof(symbol));

    /// <summary>The smile of <paramref name="underlying"/> at <paramref name="expiry"/>, from the options listed there.</summary>
    public VolSmile SmileOf(string underlying, DateTimeOffset expiry) => _smiles[(underlying, expiry)];

    /// <summary>Forward of <paramref name="underlying"/> for <paramref name="expiry"/>, USD per unit.</summary>
    public double ForwardOf(string underlying, DateTimeOffset expiry) =>
        UnderlyingOf(underlying).ForwardFor(expiry, ValuationTime, (double)PriceOf(underlying));

    private void Check(Instrument instrument)
    {
        if (instrument.IsExpiredAt(ValuationTime))
        {
            throw new ArgumentException($"{instrument.Symbol} expired at {instrument.Expiry:O}, at or before the valuation time {ValuationTime:O}.");
        }

        foreach (var asset in new[] { instrument.Underlying, instrument.QuoteAsset, instrument.SettlementAsset })
        {
            if (!_assetPrices.ContainsKey(asset))
            {
                throw new ArgumentException($"{instrument.Symbol} needs an index price for asset {asset}.");
            }
        }

        if (!_underlyings.ContainsKey(instrument.Underlying))
        {
            throw new ArgumentException($"{instrument.Symbol} needs a market for underlying {instrument.Underlying}.");
        }

        if (!_marks.ContainsKey(instrument.Symbol))
        {
            throw new ArgumentException($"{instrument.Symbol} has no mark.");
        }
    }

    private OptionInputs BuildOptionInputs(OptionContract option)
    {
        var mark = _marks[option.Symbol];
        var years = YearFraction.Act365(ValuationTime, option.Expiry!.Value);
        var forward = ForwardOf(option.Underlying, option.Expiry.Value);
        var rate = _underlyings[option.Underlying].Rate;
        var vol = mark.ImpliedVolatility ?? ImplyVolatility(option, mark.MarkPrice, forward, years, rate);
        if (!double.IsFinite(vol) || vol <= 0 || vol > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(option), $"{option.Symbol}: implied volatility {vol} must be in (0, 10].");
        }

        return new OptionInputs(option, forward, years, vol, rate);
    }

    private static double ImplyVolatility(OptionContract option, decimal mark, double forward, double years, double rate)
    {
        // Inverse options are quoted in coin: the USD premium is mark x forward (Deribit's convention).
        var usdPrice = option.Settlement == SettlementKind.Inverse ? (double)mark * forward : (double)mark;
        var result = ImpliedVolatility.Solve(option.Kind, forward, (double)option.Strike, years, rate, usdPrice);
        return result.Converged
            ? result.Volatility
            : throw new ArgumentException($"{option.Symbol}: cannot imply a volatility from mark {mark}: {result.Failure}");
    }

    private static FrozenDictionary<string, T> ToUniqueDictionary<T>(IEnumerable<T> items, Func<T, string> key, string what)
    {
        var map = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!map.TryAdd(key(item), item))
            {
                throw new ArgumentException($"Duplicate {what} {key(item)}.");
            }
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
