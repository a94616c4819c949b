namespace CrossMargin.Risk.Historical;

/// <summary>
/// Daily closing prices of some underlyings, one row per date, dates strictly increasing; optionally, for some of the
/// underlyings, a daily at-the-money implied volatility (a fraction: 0.55 = 55%).
/// </summary>
public sealed class PriceHistory
{
    /// <summary>The highest implied vol a history may hold (1000%): a larger figure is a percent written as a fraction.</summary>
    public const double MaximumVolatility = 10;

    private readonly DateOnly[] _dates;
    private readonly string[] _underlyings;
    private readonly double[][] _closes;
    private readonly Dictionary<string, double[]> _vols;

    /// <summary>
    /// Creates a history; <paramref name="closes"/> holds one array per underlying, one price per date;
    /// <paramref name="impliedVolatilities"/>, when given, one vol per date for some of those underlyings.
    /// </summary>
    public PriceHistory(IEnumerable<DateOnly> dates, IEnumerable<string> underlyings, IEnumerable<double[]> closes,
        IReadOnlyDictionary<string, double[]>? impliedVolatilities = null)
    {
        _dates = dates.ToArray();
        _underlyings = underlyings.ToArray();
        _closes = closes.Select(c => (double[])c.Clone()).ToArray();
        if (_dates.Length < 2 || _underlyings.Length == 0 || _closes.Length != _underlyings.Length)
        {
            throw new ArgumentException("A price history needs at least two dates and one price series per underlying.");
        }

        if (_underlyings.Distinct(StringComparer.Ordinal).Count() != _underlyings.Length)
        {
            throw new ArgumentException("A price history names an underlying twice.");
        }

        for (var i = 1; i < _dates.Length; i++)
        {
            if (_dates[i] <= _dates[i - 1])
            {
                throw new ArgumentException($"Dates must increase: {_dates[i]:yyyy-MM-dd} follows {_dates[i - 1]:yyyy-MM-dd}.");
            }
        }

        for (var u = 0; u < _closes.Length; u++)
        {
            if (_closes[u].Length != _dates.Length || _closes[u].Any(p => !(p > 0) || !double.IsFinite(p)))
            {
                throw new ArgumentException($"{_underlyings[u]}: needs one positive, finite price per date.");
            }
        }

        _vols = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var (underlying, vols) in impliedVolatilities ?? new Dictionary<string, double[]>())
        {
            if (!_underlyings.Contains(underlying, StringComparer.Ordinal))
            {
                throw new ArgumentException($"Implied vols for {underlying}, which has no prices in the history.");
            }

            if (vols.Length != _dates.Length || vols.Any(v => !(v > 0 && v <= MaximumVolatility)))
            {
                throw new ArgumentException($"{underlying}: needs one implied vol per date, each in (0, {MaximumVolatility}].");
            }

            _vols[underlying] = (double[])vols.Clone();
        }
    }

    /// <summary>The dates, increasing.</summary>
    public IReadOnlyList<DateOnly> Dates => _dates;

    /// <summary>The underlyings, in column order.</summary>
    public IReadOnlyList<string> Underlyings => _underlyings;

    /// <summary>The closes of <paramref name="underlying"/>; throws naming it when the history lacks it.</summary>
    public IReadOnlyList<double> ClosesOf(string underlying)
    {
        var i = Array.IndexOf(_underlyings, underlying);
        return i >= 0 ? _closes[i] : throw new ArgumentException($"The price history has no prices for {underlying} (it has {string.Join(", ", _underlyings)}).");
    }

    /// <summary>The underlyings that have implied vols, in column order.</summary>
    public IReadOnlyList<string> VolatilityUnderlyings => _underlyings.Where(_vols.ContainsKey).ToArray();

    /// <summary>True when the history holds implied vols of <paramref name="underlying"/>.</summary>
    public bool HasVolatility(string underlying) => _vols.ContainsKey(underlying);

    /// <summary>The implied vols of <paramref name="underlying"/>; throws naming it when the history has none.</summary>
    public IReadOnlyList<double> VolatilitiesOf(string underlying) =>
        _vols.TryGetValue(underlying, out var v) ? v : throw new ArgumentException($"The price history has no implied vols for {underlying}.");

    /// <summary>Daily log returns of <paramref name="underlying"/>: entry t is ln(close[t + 1] / close[t]), dated <see cref="Dates"/>[t + 1].</summary>
    public double[] LogReturnsOf(string underlying) => LogChanges(ClosesOf(underlying));

    /// <summary>Daily log changes of the implied vol of <paramref name="underlying"/>, dated like <see cref="LogReturnsOf"/>.</summary>
    public double[] LogVolatilityChangesOf(string underlying) => LogChanges(VolatilitiesOf(underlying));

    private static double[] LogChanges(IReadOnlyList<double> levels)
    {
        var changes = new double[levels.Count - 1];
        for (var t = 0; t < changes.Length; t++)
        {
            changes[t] = Math.Log(levels[t + 1] / levels[t]);
        }

        return changes;
    }
}
