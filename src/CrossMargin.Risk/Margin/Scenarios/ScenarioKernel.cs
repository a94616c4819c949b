using System.Numerics;
using System.Runtime.InteropServices;

namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>
/// The arithmetic of scenario margin on plain spans: accumulate quantity x vector, then find the worst weighted loss.
/// Vectorised with <see cref="Vector{T}"/>; the order of additions is fixed, so results repeat exactly.
/// </summary>
public static class ScenarioKernel
{
    /// <summary><paramref name="pnl"/> += <paramref name="quantity"/> x <paramref name="vector"/>.</summary>
    public static void Accumulate(Span<double> pnl, ReadOnlySpan<double> vector, double quantity)
    {
        if (vector.Length != pnl.Length)
        {
            throw new ArgumentException("Vector and P&L lengths differ.", nameof(vector));
        }

        var i = 0;
        if (Vector.IsHardwareAccelerated && pnl.Length >= Vector<double>.Count)
        {
            var q = new Vector<double>(quantity);
            var acc = MemoryMarshal.Cast<double, Vector<double>>(pnl);
            var src = MemoryMarshal.Cast<double, Vector<double>>(vector);
            for (var k = 0; k < acc.Length; k++)
            {
                acc[k] += q * src[k];
            }

            i = acc.Length * Vector<double>.Count;
        }

        for (; i < pnl.Length; i++)
        {
            pnl[i] += quantity * vector[i];
        }
    }

    /// <summary>
    /// Multiplies each positive entry by <paramref name="gainFactor"/> (gains that may offset other underlyings).
    /// </summary>
    public static void ScaleGains(Span<double> pnl, double gainFactor)
    {
        if (gainFactor == 1)
        {
            return;
        }

        for (var i = 0; i < pnl.Length; i++)
        {
            if (pnl[i] > 0)
            {
                pnl[i] *= gainFactor;
            }
        }
    }

    /// <summary>
    /// The largest weighted loss max(0, -pnl[s]) x weight[s] and the first row it occurs at (-1 when no row loses).
    /// </summary>
    public static (double Loss, int Row) WorstLoss(ReadOnlySpan<double> pnl, ReadOnlySpan<double> weights)
    {
        var worst = 0.0;
        var row = -1;
        for (var s = 0; s < pnl.Length; s++)
        {
            var loss = -pnl[s] * weights[s];
            if (loss > worst)
            {
                worst = loss;
                row = s;
            }
        }

        return (worst, row);
    }
}
