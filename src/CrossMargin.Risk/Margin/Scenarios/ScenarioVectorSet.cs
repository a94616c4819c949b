using System.Collections.Frozen;
using System.Numerics;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>
/// Every listed instrument's P&amp;L per contract, in USD, under every scenario, computed once per market snapshot.
/// A portfolio's scenario P&amp;L is then a sum of quantity x vector; no option is revalued per account.
/// </summary>
/// <remarks>
/// Under scenario move m, index S and every mark and forward move to x(1 + m). Per contract:
/// linear future: size x P x m x quote price; inverse future: the coin P&amp;L size x (1/P - 1/P') converted at the
/// shocked coin price S', which is size x m x S / P; option: the Black-76 value at the shocked forward, the shocked
/// vol and the aged expiry, less today's model value (in coin for inverse options, converted at S'). What a coin-settled
/// position has already accrued in coin is revalued separately through <see cref="CoinVector"/>.
/// Rows are stored <see cref="Stride"/> apart, padded with zeros (weight 0) to a whole number of
/// <see cref="Vector{T}"/>s, so the kernel adds whole vectors without a scalar tail.
/// </remarks>
public sealed class ScenarioVectorSet
{
    private readonly double[] _pnl;
    private readonly double[] _coin;
    private readonly double[] _weights;
    private readonly double[] _paddedWeights;
    private readonly int[][] _offsetMembers;
    private readonly int[] _underlyingOf;
    private readonly double[] _shortOptionMinimum;
    private readonly double[] _rollShock;
    private readonly string[] _symbols;
    private readonly string[] _underlyings;
    private readonly FrozenDictionary<string, int> _instrumentIndex;
    private readonly FrozenDictionary<string, int> _underlyingIndex;

    private ScenarioVectorSet(PortfolioMarginParameters parameters, MarketSnapshot market)
    {
        Parameters = parameters;
        Market = market;
        ScenarioCount = parameters.Scenarios.Count;
        Stride = Vector.IsHardwareAccelerated ? (ScenarioCount + Vector<double>.Count - 1) / Vector<double>.Count * Vector<double>.Count : ScenarioCount;
        _weights = parameters.Scenarios.Select(s => s.Weight).ToArray();
        _paddedWeights = new double[Stride];
        _weights.CopyTo(_paddedWeights, 0);
        var instruments = market.Instruments.OrderBy(i => i.Symbol, StringComparer.Ordinal).ToArray();
        _symbols = instruments.Select(i => i.Symbol).ToArray();
        _underlyings = instruments.Select(i => i.Underlying).Distinct().Order(StringComparer.Ordinal).ToArray();
        _instrumentIndex = _symbols.Select((s, i) => (s, i)).ToFrozenDictionary(x => x.s, x => x.i, StringComparer.Ordinal);
        _underlyingIndex = _underlyings.Select((s, i) => (s, i)).ToFrozenDictionary(x => x.s, x => x.i, StringComparer.Ordinal);
        _underlyingOf = instruments.Select(i => _underlyingIndex[i.Underlying]).ToArray();
        _offsetMembers = parameters.Offsets
            .Select(o => o.Underlyings.Select(FindUnderlying).Where(u => u >= 0).ToArray())
            .ToArray();
        _pnl = new double[instruments.Length * Stride];
        _coin = new double[_underlyings.Length * Stride];
        _shortOptionMinimum = new double[instruments.Length];
        _rollShock = new double[instruments.Length];

        for (var u = 0; u < _underlyings.Length; u++)
        {
            var index = (double)market.PriceOf(_underlyings[u]);
            var range = parameters.For(_underlyings[u]).PriceRange;
            for (var s = 0; s < ScenarioCount; s++)
            {
                _coin[(u * Stride) + s] = index * parameters.Scenarios[s].FractionFor(range);
            }
        }

        for (var i = 0; i < instruments.Length; i++)
        {
            Fill(i, instruments[i]);
        }
    }

    /// <summary>The parameters the vectors were built with.</summary>
    public PortfolioMarginParameters Parameters { get; }

    /// <summary>The snapshot the vectors were built from.</summary>
    public MarketSnapshot Market { get; }

    /// <summary>Rows in the risk array.</summary>
    public int ScenarioCount { get; }

    /// <summary>Distance between two instruments' rows: <see cref="ScenarioCount"/> rounded up to whole vectors.</summary>
    internal int Stride { get; }

    /// <summary>Underlyings covered (the count of <see cref="Underlyings"/>, without an interface call).</summary>
    internal int UnderlyingCount => _underlyings.Length;

    /// <summary>Weights padded to <see cref="Stride"/> with zeros.</summary>
    internal double[] PaddedWeights => _paddedWeights;

    /// <summary>All P&amp;L rows, <see cref="Stride"/> apart.</summary>
    internal double[] PaddedPnl => _pnl;

    /// <summary>All coin rows, <see cref="Stride"/> apart.</summary>
    internal double[] PaddedCoin => _coin;

    /// <summary>Underlying index per instrument.</summary>
    internal int[] UnderlyingIndexes => _underlyingOf;

    /// <summary>Short option minimum per short contract, per instrument.</summary>
    internal double[] ShortOptionMinimums => _shortOptionMinimum;

    /// <summary>Roll shock per contract, per instrument.</summary>
    internal double[] RollShocks => _rollShock;

    /// <summary>
    /// Per <see cref="PortfolioMarginParameters.Offsets"/> entry, the indexes of its underlyings that have
    /// instruments here, in the offset's order.
    /// </summary>
    internal int[][] OffsetMembers => _offsetMembers;

    /// <summary>
    /// Entries of scratch with which <see cref="ScenarioMarginModel.InitialMargin"/> needs no stack: the rows of every
    /// underlying padded to whole vectors, a joint row and four figures per underlying.
    /// </summary>
    public int ScratchLength => ((_underlyings.Length + 1) * Stride) + (4 * _underlyings.Length);

    /// <summary>Instruments covered.</summary>
    public int InstrumentCount => _symbols.Length;

    /// <summary>Underlyings covered, in ordinal order.</summary>
    public IReadOnlyList<string> Underlyings => _underlyings;

    /// <summary>Each row's weight (fraction of loss counted).</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>Builds the vectors of every instrument listed in <paramref name="market"/>.</summary>
    public static ScenarioVectorSet Build(PortfolioMarginParameters parameters, MarketSnapshot market) => new(parameters, market);

    /// <summary>The index of instrument <paramref name="symbol"/>.</summary>
    public int InstrumentIndexOf(string symbol) =>
        _instrumentIndex.TryGetValue(symbol, out var i) ? i : throw new ArgumentException($"Unknown instrument {symbol}.", nameof(symbol));

    /// <summary>The symbol of instrument <paramref name="instrument"/>.</summary>
    public string SymbolOf(int instrument) => _symbols[instrument];

    /// <summary>The index of the underlying of instrument <paramref name="instrument"/>.</summary>
    public int UnderlyingOf(int instrument) => _underlyingOf[instrument];

    /// <summary>The index of underlying <paramref name="underlying"/>.</summary>
    public int UnderlyingIndexOf(string underlying) => _underlyingIndex[underlying];

    /// <summary>The index of underlying <paramref name="underlying"/>, or -1 when no listed instrument has it.</summary>
    public int FindUnderlying(string underlying) => _underlyingIndex.TryGetValue(underlying, out var u) ? u : -1;

    /// <summary>P&amp;L per contract of instrument <paramref name="instrument"/>, one entry per scenario, in USD.</summary>
    public ReadOnlySpan<double> PnlVector(int instrument) => _pnl.AsSpan(instrument * Stride, ScenarioCount);

    /// <summary>The USD change in value of one unit of underlying <paramref name="underlying"/>'s coin, per scenario.</summary>
    public ReadOnlySpan<double> CoinVector(int underlying) => _coin.AsSpan(underlying * Stride, ScenarioCount);

    /// <summary>Short option minimum per short contract, USD (0 for non-options).</summary>
    public double ShortOptionMinimumPerContract(int instrument) => _shortOptionMinimum[instrument];

    /// <summary>Roll shock per contract held either way, USD (0 for options).</summary>
    public double RollShockPerContract(int instrument) => _rollShock[instrument];

    private void Fill(int i, Instrument instrument)
    {
        var p = Parameters.For(instrument.Underlying);
        var index = (double)Market.PriceOf(instrument.Underlying);
        var size = (double)instrument.ContractSize;
        var quote = (double)Market.PriceOf(instrument.QuoteAsset);
        var row = _pnl.AsSpan(i * Stride, ScenarioCount);
        if (instrument is OptionContract option)
        {
            FillOption(row, option, p, index, size, quote);
            _shortOptionMinimum[i] = p.ShortOptionMinimum * index * size;
            return;
        }

        var mark = (double)Market.MarkOf(instrument.Symbol).MarkPrice;
        var years = instrument.Expiry is { } e ? Math.Max(YearFraction.Act365(Market.ValuationTime, e), 0) : 0;
        var notionalPerContract = instrument.Settlement == SettlementKind.Linear ? size * mark * quote : size * quote;
        _rollShock[i] = notionalPerContract * Math.Max(p.AnnualisedMoveRisk * years, p.MinAnnualisedMove);
        for (var s = 0; s < ScenarioCount; s++)
        {
            var m = Parameters.Scenarios[s].FractionFor(p.PriceRange);
            row[s] = instrument.Settlement == SettlementKind.Linear ? size * mark * m * quote : size * m * index / mark;
        }
    }

    private void FillOption(Span<double> row, OptionContract option, UnderlyingRiskParameters p, double index, double size, double quote)
    {
        var inputs = Market.OptionInputsOf(option.Symbol);
        var strike = (double)option.Strike;
        var inverse = option.Settlement == SettlementKind.Inverse;
        var baseValue = Black76.Price(option.Kind, inputs.Forward, strike, inputs.Years, inputs.Volatility, inputs.Rate);
        var aged = Math.Max(inputs.Years - (Parameters.LookAheadDays / 365.0), 0);
        var smile = Parameters.VolatilityDynamics == VolatilityDynamics.StickyMoneyness
            ? Market.SmileOf(option.Underlying, option.Expiry!.Value)
            : null;
        for (var s = 0; s < ScenarioCount; s++)
        {
            var scenario = Parameters.Scenarios[s];
            var m = scenario.FractionFor(p.PriceRange);
            var forward = inputs.Forward * (1 + m);
            var vol = smile?.VolAt(strike / (1 + m)) ?? inputs.Volatility;
            vol = p.VolShock.Apply(vol, inputs.Days, scenario.Vol);
            var value = Black76.Price(option.Kind, forward, strike, aged, vol, inputs.Rate);
            row[s] = inverse
                ? size * ((value / forward) - (baseValue / inputs.Forward)) * index * (1 + m)
                : size * (value - baseValue) * quote;
        }
    }
}
