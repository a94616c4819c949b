namespace CrossMargin.Risk.Market;

/// <summary>
/// Market data of one underlying beyond its index: the forward curve and the rate options are discounted at.
/// </summary>
public sealed class UnderlyingMarket
{
    private readonly ForwardPoint[] _forwards;

    /// <summary>Creates the market of <paramref name="name"/>; forwards need not be sorted but expiries must be distinct.</summary>
    public UnderlyingMarket(string name, double rate, IEnumerable<ForwardPoint>? forwards = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!double.IsFinite(rate) || rate < -1 || rate > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"{name}: rate must be a finite annual rate between -1 and 1.");
        }

        _forwards = (forwards ?? []).OrderBy(f => f.Expiry).ToArray();
        for (var i = 0; i < _forwards.Length; i++)
        {
            if (_forwards[i].Price <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(forwards), $"{name}: forward for {_forwards[i].Expiry:O} must be positive.");
            }

            if (i > 0 && _forwards[i].Expiry == _forwards[i - 1].Expiry)
            {
                throw new ArgumentException($"{name}: two forwards for expiry {_forwards[i].Expiry:O}.", nameof(forwards));
            }
        }

        Name = name;
        Rate = rate;
    }

    /// <summary>The underlying's asset code.</summary>
    public string Name { get; }

    /// <summary>Continuously compounded annual rate used to discount option payoffs.</summary>
    public double Rate { get; }

    /// <summary>The forwards given, sorted by expiry.</summary>
    public IReadOnlyList<ForwardPoint> Forwards => _forwards;

    /// <summary>
    /// Forward for <paramref name="expiry"/>: the quoted forward when one is given for that expiry; otherwise
    /// the index carried at the annualised basis ln(F/S)/T interpolated linearly in time between quoted expiries
    /// and held flat beyond them; the index itself when no forward is quoted.
    /// </summary>
    public double ForwardFor(DateTimeOffset expiry, DateTimeOffset valuationTime, double index)
    {
        var t = YearFraction.Act365(valuationTime, expiry);
        if (_forwards.Length == 0 || t <= 0)
        {
            return index;
        }

        Span<double> times = stackalloc double[_forwards.Length];
        for (var i = 0; i < _forwards.Length; i++)
        {
            if (_forwards[i].Expiry == expiry)
            {
                return (double)_forwards[i].Price;
            }

            times[i] = YearFraction.Act365(valuationTime, _forwards[i].Expiry);
        }

        var carry = CarryAt(t, times, index);
        return index * Math.Exp(carry * t);
    }

    private double CarryAt(double t, ReadOnlySpan<double> times, double index)
    {
        if (t <= times[0])
        {
            return Carry(0, times, index);
        }

        for (var i = 1; i < times.Length; i++)
        {
            if (t <= times[i])
            {
                var w = (t - times[i - 1]) / (times[i] - times[i - 1]);
                var before = Carry(i - 1, times, index);
                return before + (w * (Carry(i, times, index) - before));
            }
        }

        return Carry(times.Length - 1, times, index);
    }

    private double Carry(int i, ReadOnlySpan<double> times, double index) =>
        times[i] > 0 ? Math.Log((double)_forwards[i].Price / index) / times[i] : 0.0;
}
