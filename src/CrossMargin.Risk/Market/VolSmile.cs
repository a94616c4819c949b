namespace CrossMargin.Risk.Market;

/// <summary>
/// Implied volatility by strike for one underlying and expiry, built from the options' own vols: linear in
/// strike between quoted strikes, flat beyond the wings (no extrapolated slope that could go negative).
/// </summary>
public sealed class VolSmile
{
    private readonly double[] _strikes;
    private readonly double[] _vols;

    /// <summary>Creates a smile from (strike, vol) points; a strike quoted twice keeps the mean of its vols.</summary>
    public VolSmile(IEnumerable<(double Strike, double Vol)> points)
    {
        var grouped = points.GroupBy(p => p.Strike).OrderBy(g => g.Key).ToArray();
        if (grouped.Length == 0)
        {
            throw new ArgumentException("A smile needs at least one point.", nameof(points));
        }

        _strikes = grouped.Select(g => g.Key).ToArray();
        _vols = grouped.Select(g => g.Average(p => p.Vol)).ToArray();
    }

    /// <summary>The implied volatility at <paramref name="strike"/>.</summary>
    public double VolAt(double strike)
    {
        if (strike <= _strikes[0])
        {
            return _vols[0];
        }

        var last = _strikes.Length - 1;
        if (strike >= _strikes[last])
        {
            return _vols[last];
        }

        var i = Array.BinarySearch(_strikes, strike);
        if (i >= 0)
        {
            return _vols[i];
        }

        var hi = ~i;
        var w = (strike - _strikes[hi - 1]) / (_strikes[hi] - _strikes[hi - 1]);
        return _vols[hi - 1] + (w * (_vols[hi] - _vols[hi - 1]));
    }
}
