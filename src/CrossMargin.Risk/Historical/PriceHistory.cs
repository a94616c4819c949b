namespace CrossMargin.Risk.Historical;

/// <summary>Daily closing prices of some underlyings, one row per date, dates strictly increasing.</summary>
public sealed class PriceHistory
{
    private readonly DateOnly[] _dates;
    private readonly string[] _underlyings;
    private readonly double[][] _closes;

    /// <summary>Creates a history; <paramref name="closes"/> holds one array per underlying, one price per date.</summary>
    public PriceHistory(IEnumerable<DateOnly> dates, IEnumerable<string> underlyings, IEnumerable<double[]> closes)
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

    /// <summary>Daily log returns of <paramref name="underlying"/>: entry t is ln(close[t + 1] / close[t]), dated <see cref="Dates"/>[t + 1].</summary>
    public double[] LogReturnsOf(string underlying)
    {
        var closes = ClosesOf(underlying);
        var returns = new double[closes.Count - 1];
        for (var t = 0; t < returns.Length; t++)
        {
            returns[t] = Math.Log(closes[t + 1] / closes[t]);
        }

        return returns;
    }
}
