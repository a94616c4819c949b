namespace CrossMargin.Simulator;

/// <summary>
/// Index prices as a seeded random walk: geometric Brownian motion plus Poisson jumps, and a scripted crash that moves
/// each underlying by its configured fraction, spread evenly in log space over the crash's duration. Deterministic for
/// a seed and a sequence of steps.
/// </summary>
public sealed class PricePath
{
    private const double SecondsPerYear = 365.0 * 24 * 3600;
    private readonly SimulatorOptions _options;
    private readonly Random _random;
    private readonly Dictionary<string, double> _logPrice;
    private TimeSpan _elapsed;

    /// <summary>Starts every underlying at its opening index.</summary>
    public PricePath(SimulatorOptions options, IReadOnlyDictionary<string, decimal> opening)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(opening);
        _options = options;
        _random = new Random(options.Seed);
        _logPrice = opening.ToDictionary(p => p.Key, p => Math.Log((double)p.Value), StringComparer.Ordinal);
    }

    /// <summary>Time simulated so far.</summary>
    public TimeSpan Elapsed => _elapsed;

    /// <summary>True while the scripted crash is playing out.</summary>
    public bool InCrash => _options.CrashAfter is { } start && _elapsed > start && _elapsed <= start + _options.CrashDuration;

    /// <summary>Advances by <paramref name="step"/> and returns every underlying's new index, rounded to 8 decimals.</summary>
    public IReadOnlyDictionary<string, decimal> Step(TimeSpan step)
    {
        if (step <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "A step must move time forward.");
        }

        var from = _elapsed;
        _elapsed += step;
        var years = step.TotalSeconds / SecondsPerYear;
        var sigma = _options.AnnualVolatility;
        var jumpProbability = _options.JumpsPerHour * step.TotalHours;
        var crashShare = CrashShare(from, _elapsed);
        var result = new Dictionary<string, decimal>(StringComparer.Ordinal);

        // Underlyings in name order so the random draws, and therefore the path, do not depend on dictionary order.
        foreach (var name in _logPrice.Keys.Order(StringComparer.Ordinal).ToArray())
        {
            var move = (-0.5 * sigma * sigma * years) + (sigma * Math.Sqrt(years) * Gaussian());
            if (_random.NextDouble() < jumpProbability)
            {
                move += _options.JumpSize * Gaussian();
            }

            if (crashShare > 0 && _options.CrashMoves.TryGetValue(name, out var crash))
            {
                move += Math.Log(1 + crash) * crashShare;
            }

            _logPrice[name] += move;
            result[name] = Math.Round((decimal)Math.Exp(_logPrice[name]), 8);
        }

        return result;
    }

    private double CrashShare(TimeSpan from, TimeSpan to)
    {
        if (_options.CrashAfter is not { } start || _options.CrashDuration <= TimeSpan.Zero)
        {
            return 0;
        }

        var end = start + _options.CrashDuration;
        var overlap = (to < end ? to : end) - (from > start ? from : start);
        return overlap > TimeSpan.Zero ? overlap / _options.CrashDuration : 0;
    }

    private double Gaussian()
    {
        // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
        var u = 1.0 - _random.NextDouble();
        var v = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }
}
