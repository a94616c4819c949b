namespace CrossMargin.Risk.Historical;

/// <summary>
/// VaR and ES of a sample of losses (positive = loss). With N scenarios and confidence c, the tail holds the
/// k = ceil(N (1 - c)) worst losses (at least one): VaR is the k-th worst (Hull: 500 scenarios at 99% give the 5th
/// worst) and ES the mean of the k worst, so ES >= VaR at the same confidence.
/// </summary>
public static class TailMeasures
{
    /// <summary>Scenarios in the tail at <paramref name="confidence"/>.</summary>
    public static int TailCount(int scenarios, double confidence)
    {
        // The small epsilon keeps 500 x (1 - 0.99) = 5.000000000000004 at 5.
        var k = (int)Math.Ceiling((scenarios * (1 - confidence)) - 1e-9);
        return Math.Clamp(k, 1, scenarios);
    }

    /// <summary>The losses sorted worst first (a copy).</summary>
    public static double[] WorstFirst(ReadOnlySpan<double> losses)
    {
        var sorted = losses.ToArray();
        Array.Sort(sorted, (a, b) => b.CompareTo(a));
        return sorted;
    }

    /// <summary>VaR of losses already sorted worst first.</summary>
    public static double ValueAtRisk(ReadOnlySpan<double> worstFirst, double confidence) =>
        worstFirst[TailCount(worstFirst.Length, confidence) - 1];

    /// <summary>ES of losses already sorted worst first.</summary>
    public static double ExpectedShortfall(ReadOnlySpan<double> worstFirst, double confidence)
    {
        var k = TailCount(worstFirst.Length, confidence);
        var sum = 0.0;
        for (var i = 0; i < k; i++)
        {
            sum += worstFirst[i];
        }

        return sum / k;
    }
}
