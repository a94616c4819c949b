namespace CrossMargin.Risk.Market;

/// <summary>
/// Market data of one underlying beyond its index: the forward curve and the rate options are discounted at.
/// </summary>
public sealed class UnderlyingMarket
{
    private readonly ForwardPoint[] _forwards;

    // A wrapper, not the array: one market is shared by every snapshot the price feed publishes, and an array behind
    // IReadOnlyList can be cast back and written.
    private readonly IReadOnlyList<ForwardPoint> _forwardsView;

    /// <summary>Creates the market of <paramref name="name"/>; forwards need not be sorted but expiries must be distinct.</summary>
    /// <param name="name">The underlying's asset code.</param>
    /// <param name="rate">Continuously compounded annual discount rate.</param>
    /// <param name="forwards">Quoted forwards.</param>
    /// <param name="quotedAtIndex">
    /// The index the forwards were quoted against, when they are to keep their ratio to the index as it moves (a basis,
    /// as a market kept live across index updates needs); null when they are prices of this instant only.
    /// </param>
    public UnderlyingMarket(string name, double rate, IEnumerable<ForwardPoint>? forwards = null, double? quotedAtIndex = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!double.IsFinite(rate) || rate < -1 || rate > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"{name}: rate must be a finite annual rate between -1 and 1.");
        }

        if (quotedAtIndex is { } q && !(q > 0 && double.IsFinite(q)))
        {
            throw new ArgumentOutOfRangeException(nameof(quotedAtIndex), q, $"{name}: the index forwards are quoted against must be positive and finite.");
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

        _forwardsView = Array.AsReadOnly(_forwards);
        Name = name;
        Rate = rate;
        QuotedAtIndex = quotedAtIndex;
    }

    /// <summary>The underlying's asset code.</summary>
    public string Name { get; }

    /// <summary>Continuously compounded annual rate used to discount option payoffs.</summary>
    public double Rate { get; }

    /// <summary>The forwards given, sorted by expiry.</summary>
    public IReadOnlyList<ForwardPoint> Forwards => _forwardsView;

    /// <summary>
    /// The index <see cref="Forwards"/> were quoted against, or null. When set, a forward is F x index / this at any
    /// index (the quoted basis kept); when null, a quoted forward is taken as it is, whatever the index.
    /// </summary>
    public double? QuotedAtIndex { get; }

    /// <summary>
    /// This market with its forwards kept as a basis to <paramref name="index"/>, the index they were quoted against (the
    /// market itself when it already keeps a basis): what a market kept across index updates must use, since a quoted
    /// forward taken as a price would stay where it was while the index moves.
    /// </summary>
    public UnderlyingMarket QuotedAt(double index) => QuotedAtIndex is null ? new(Name, Rate, _forwards, index) : this;

    /// <summary>
    /// This market after its underlying moves by <paramref name="factor"/>: quoted forward prices scale with it; forwards
    /// kept as a basis (<see cref="QuotedAtIndex"/>) already follow the index, so that market is returned as it is.
    /// </summary>
    public UnderlyingMarket Moved(decimal factor) =>
        QuotedAtIndex is null ? new(Name, Rate, _forwards.Select(f => f with { Price = f.Price * factor })) : this;

    /// <summary>
    /// Forward for <paramref name="expiry"/>: the quoted forward when one is given for that expiry (scaled by index /
    /// <see cref="QuotedAtIndex"/> when set); otherwise the index carried at the annualised basis ln(F/S)/T (S the
    /// index the forwards were quoted against) interpolated linearly in time between quoted expiries and held flat
    /// beyond them; the index itself when no forward is quoted.
    /// </summary>
    public double ForwardFor(DateTimeOffset expiry, DateTimeOffset valuationTime, double index)
    {
        var t = YearFraction.Act365(valuationTime, expiry);
        if (_forwards.Length == 0 || t <= 0)
        {
            return index;
        }

        var quotedAt = QuotedAtIndex ?? index;
        Span<double> times = stackalloc double[_forwards.Length];
        for (var i = 0; i < _forwards.Length; i++)
        {
            if (_forwards[i].Expiry == expiry)
            {
                var quoted = (double)_forwards[i].Price;
                return QuotedAtIndex is null ? quoted : quoted / quotedAt * index;
            }

            times[i] = YearFraction.Act365(valuationTime, _forwards[i].Expiry);
        }

        var carry = CarryAt(t, times, quotedAt);
        return index * Math.Exp(carry * t);
    }

    private double CarryAt(double t, ReadOnlySpan<double> times, double quotedAt)
    {
        if (t <= times[0])
        {
            return Carry(0, times, quotedAt);
        }

        for (var i = 1; i < times.Length; i++)
        {
            if (t <= times[i])
            {
                var w = (t - times[i - 1]) / (times[i] - times[i - 1]);
                var before = Carry(i - 1, times, quotedAt);
                return before + (w * (Carry(i, times, quotedAt) - before));
            }
        }

        return Carry(times.Length - 1, times, quotedAt);
    }

    private double Carry(int i, ReadOnlySpan<double> times, double quotedAt) =>
        times[i] > 0 ? Math.Log((double)_forwards[i].Price / quotedAt) / times[i] : 0.0;
}
