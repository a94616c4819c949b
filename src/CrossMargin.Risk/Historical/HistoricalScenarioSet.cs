namespace CrossMargin.Risk.Historical;

/// <summary>
/// Scenarios of historical simulation: per scenario, the horizon log return of every underlying of the history, the
/// horizon log change of the implied vol of every underlying the history has vols for, and the date the scenario ends
/// on. Vol changes get exactly the treatment of price returns (EWMA filter, horizon scaling or windows), so a
/// scenario's vol move is the one of the same days. Built once per history and parameters; independent of the market.
/// </summary>
public sealed class HistoricalScenarioSet
{
    private readonly string[] _underlyings;
    private readonly double[][] _returns;
    private readonly string[] _volUnderlyings;
    private readonly double[][] _volChanges;

    private HistoricalScenarioSet(string[] underlyings, double[][] returns, string[] volUnderlyings, double[][] volChanges, DateOnly[] dates)
    {
        _underlyings = underlyings;
        _returns = returns;
        _volUnderlyings = volUnderlyings;
        _volChanges = volChanges;
        Dates = dates;
    }

    /// <summary>The date each scenario ends on.</summary>
    public IReadOnlyList<DateOnly> Dates { get; }

    /// <summary>Scenarios in the set.</summary>
    public int Count => Dates.Count;

    /// <summary>The horizon log returns of <paramref name="underlying"/>, one per scenario.</summary>
    public ReadOnlySpan<double> ReturnsOf(string underlying)
    {
        var i = Array.IndexOf(_underlyings, underlying);
        return i >= 0 ? _returns[i] : throw new ArgumentException($"The price history has no prices for {underlying} (it has {string.Join(", ", _underlyings)}).");
    }

    /// <summary>The underlyings whose implied vols move in these scenarios.</summary>
    public IReadOnlyList<string> VolatilityUnderlyings => _volUnderlyings;

    /// <summary>
    /// The horizon log changes of the implied vol of <paramref name="underlying"/>, one per scenario, or an empty span
    /// when the history has no vols for it (its vols then stay where the market has them).
    /// </summary>
    public ReadOnlySpan<double> VolatilityChangesOf(string underlying)
    {
        var i = Array.IndexOf(_volUnderlyings, underlying);
        return i >= 0 ? _volChanges[i] : [];
    }

    /// <summary>The scenarios of the last <see cref="HistoricalSimulationParameters.LookbackDays"/> one-day returns, filtered when an EWMA lambda is set.</summary>
    public static HistoricalScenarioSet Current(PriceHistory history, HistoricalSimulationParameters p)
    {
        var available = history.Dates.Count - 1;
        if (p.LookbackDays > available)
        {
            throw new ArgumentException($"The lookback of {p.LookbackDays} days needs that many returns; the history has {available}.");
        }

        // Filter over the whole history so the EWMA has burnt in before the lookback starts.
        var daily = DailySeries(history).Select(r =>
        {
            var used = p.EwmaLambda is { } lambda ? EwmaFilter.Filter(r, lambda) : r;
            return used[^p.LookbackDays..];
        }).ToArray();
        var dates = history.Dates.Skip(history.Dates.Count - p.LookbackDays).ToArray();
        return FromDaily(history, p, daily, dates);
    }

    /// <summary>The scenarios of the returns dated within the stressed period (unfiltered: the period keeps its own volatility).</summary>
    public static HistoricalScenarioSet Stressed(PriceHistory history, HistoricalSimulationParameters p)
    {
        var from = p.StressedFrom ?? throw new ArgumentException("No stressed period is set.");
        var to = p.StressedTo!.Value;
        var first = -1;
        var last = -1;
        for (var t = 1; t < history.Dates.Count; t++)
        {
            if (history.Dates[t] >= from && history.Dates[t] <= to)
            {
                first = first < 0 ? t - 1 : first;
                last = t - 1;
            }
        }

        var count = first < 0 ? 0 : last - first + 1;
        if (count < Math.Max(2, p.Horizon == HorizonMethod.OverlappingWindows ? p.HorizonDays : 1))
        {
            throw new ArgumentException($"The stressed period {from:yyyy-MM-dd} to {to:yyyy-MM-dd} holds {count} returns of the history; too few.");
        }

        var daily = DailySeries(history).Select(r => r[first..(last + 1)]).ToArray();
        var dates = history.Dates.Skip(first + 1).Take(count).ToArray();
        return FromDaily(history, p, daily, dates);
    }

    // Price returns of every underlying, then vol log changes of those with vols: FromDaily splits them back.
    private static IEnumerable<double[]> DailySeries(PriceHistory history) =>
        history.Underlyings.Select(history.LogReturnsOf).Concat(history.VolatilityUnderlyings.Select(history.LogVolatilityChangesOf));

    private static HistoricalScenarioSet FromDaily(PriceHistory history, HistoricalSimulationParameters p, double[][] daily, DateOnly[] dates)
    {
        var prices = history.Underlyings.Count;
        HistoricalScenarioSet Split(double[][] series, DateOnly[] ends) =>
            new(history.Underlyings.ToArray(), series[..prices], history.VolatilityUnderlyings.ToArray(), series[prices..], ends);

        var h = p.HorizonDays;
        if (p.Horizon == HorizonMethod.SquareRootOfTime)
        {
            var scale = Math.Sqrt(h);
            return Split(daily.Select(r => r.Select(x => x * scale).ToArray()).ToArray(), dates);
        }

        var n = dates.Length - h + 1;
        var windows = daily.Select(r =>
        {
            var w = new double[n];
            for (var s = 0; s < n; s++)
            {
                var sum = 0.0;
                for (var d = 0; d < h; d++)
                {
                    sum += r[s + d];
                }

                w[s] = sum;
            }

            return w;
        }).ToArray();
        return Split(windows, dates[(h - 1)..]);
    }
}
