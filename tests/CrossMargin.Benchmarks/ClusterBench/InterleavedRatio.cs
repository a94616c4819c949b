namespace CrossMargin.Benchmarks.ClusterBench;

/// <summary>
/// Issue 6's ratio from raw and end-to-end phases run alternately in one run, raw first and last (R E R ... E R): the
/// median end-to-end rate over the median raw rate, and, to show how far one pair alone could mislead, each end-to-end
/// phase against the mean of the two raw phases beside it.
/// </summary>
/// <remarks>
/// Medians, not means: one phase that a neighbour's burst halves moves a mean by a sixth over six phases but a median
/// not at all. The raw phases bracket the end-to-end ones so that a drift of the machine over the run weighs on both
/// sides alike.
/// </remarks>
internal sealed class InterleavedRatio
{
    private InterleavedRatio(IReadOnlyList<double> raw, IReadOnlyList<double> endToEnd, IReadOnlyList<PairRatio> pairs)
    {
        Raw = raw;
        EndToEnd = endToEnd;
        Pairs = pairs;
        MedianRaw = Median(raw);
        MedianEndToEnd = Median(endToEnd);
        var ratios = pairs.Select(p => p.Ratio).ToArray();
        PairMedian = Median(ratios);
        PairLowest = ratios.Min();
        PairHighest = ratios.Max();
    }

    /// <summary>The raw rates in the order measured, messages per second.</summary>
    public IReadOnlyList<double> Raw { get; }

    /// <summary>The end-to-end rates in the order measured, executions per second.</summary>
    public IReadOnlyList<double> EndToEnd { get; }

    /// <summary>Each end-to-end phase with the raw phases beside it.</summary>
    public IReadOnlyList<PairRatio> Pairs { get; }

    /// <summary>The median of <see cref="Raw"/>.</summary>
    public double MedianRaw { get; }

    /// <summary>The median of <see cref="EndToEnd"/>.</summary>
    public double MedianEndToEnd { get; }

    /// <summary>The figure: <see cref="MedianEndToEnd"/> over <see cref="MedianRaw"/>.</summary>
    public double Ratio => MedianEndToEnd / MedianRaw;

    /// <summary>The median of the pairs' ratios.</summary>
    public double PairMedian { get; }

    /// <summary>The lowest pair ratio.</summary>
    public double PairLowest { get; }

    /// <summary>The highest pair ratio.</summary>
    public double PairHighest { get; }

    /// <summary>The highest pair ratio less the lowest: what a run of one pair could have printed, apart.</summary>
    public double PairSpread => PairHighest - PairLowest;

    /// <summary>
    /// The ratio of <paramref name="raw"/> rates and <paramref name="endToEnd"/> rates measured alternately, raw first and
    /// last, so one raw rate more than end-to-end ones; every rate positive and finite.
    /// </summary>
    public static InterleavedRatio Of(IReadOnlyList<double> raw, IReadOnlyList<double> endToEnd)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(endToEnd);
        if (endToEnd.Count == 0 || raw.Count != endToEnd.Count + 1)
        {
            throw new ArgumentException(
                $"Interleaved phases run R E R ... E R: {endToEnd.Count} end-to-end rates need {endToEnd.Count + 1} raw rates, at least one of each side (got {raw.Count}).",
                nameof(raw));
        }

        if (raw.Concat(endToEnd).Any(r => !double.IsFinite(r) || r <= 0))
        {
            throw new ArgumentException("Every rate must be positive and finite.", nameof(raw));
        }

        var pairs = endToEnd.Select((rate, i) => new PairRatio(i + 1, raw[i], rate, raw[i + 1])).ToArray();
        return new InterleavedRatio(raw.ToArray(), endToEnd.ToArray(), pairs);
    }

    /// <summary>The middle value of <paramref name="values"/>, or the mean of the two middle ones when their count is even.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("The median of no values is undefined.", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
