namespace CrossMargin.Benchmarks.ClusterBench;

/// <summary>One end-to-end phase of an interleaved run against the two raw phases beside it.</summary>
/// <param name="Round">The end-to-end phase's number, from 1.</param>
/// <param name="RawBefore">The raw rate measured just before it, messages per second.</param>
/// <param name="EndToEnd">Its rate, executions per second.</param>
/// <param name="RawAfter">The raw rate measured just after it, messages per second.</param>
internal sealed record PairRatio(int Round, double RawBefore, double EndToEnd, double RawAfter)
{
    /// <summary>The mean of the two raw rates beside the phase: the machine's raw rate around it.</summary>
    public double RawMean => (RawBefore + RawAfter) / 2;

    /// <summary>The end-to-end rate as a share of <see cref="RawMean"/>.</summary>
    public double Ratio => EndToEnd / RawMean;
}
