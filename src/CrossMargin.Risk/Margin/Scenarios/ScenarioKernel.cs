using System.Numerics;
using System.Runtime.CompilerServices;
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

    /// <summary>
    /// <paramref name="pnl"/>[i] += <paramref name="quantity"/> x <paramref name="vector"/>[i] for i below
    /// <paramref name="length"/>, a whole number of vectors when <see cref="Vector.IsHardwareAccelerated"/>
    /// (rows padded to <see cref="ScenarioVectorSet.Stride"/>). The same operations as <see cref="Accumulate"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AccumulateRow(ref double pnl, ref double vector, double quantity, int length)
    {
        if (Vector.IsHardwareAccelerated)
        {
            var q = new Vector<double>(quantity);
            for (nuint i = 0; i < (nuint)length; i += (nuint)Vector<double>.Count)
            {
                Vector.StoreUnsafe(Vector.LoadUnsafe(ref pnl, i) + (q * Vector.LoadUnsafe(ref vector, i)), ref pnl, i);
            }

            return;
        }

        for (var i = 0; i < length; i++)
        {
            Unsafe.Add(ref pnl, i) += quantity * Unsafe.Add(ref vector, i);
        }
    }

    /// <summary>
    /// <paramref name="joint"/>[i] += <paramref name="pnl"/>[i], positive entries first multiplied by
    /// <paramref name="gainFactor"/>: <see cref="ScaleGains"/> then <see cref="Accumulate"/> with quantity 1, fused.
    /// </summary>
    internal static void AddScaledGains(ref double joint, ref double pnl, double gainFactor, int length)
    {
        if (Vector.IsHardwareAccelerated)
        {
            var g = new Vector<double>(gainFactor);
            for (nuint i = 0; i < (nuint)length; i += (nuint)Vector<double>.Count)
            {
                var p = Vector.LoadUnsafe(ref pnl, i);
                var scaled = Vector.ConditionalSelect(Vector.GreaterThan(p, Vector<double>.Zero), p * g, p);
                Vector.StoreUnsafe(Vector.LoadUnsafe(ref joint, i) + scaled, ref joint, i);
            }

            return;
        }

        for (var i = 0; i < length; i++)
        {
            var p = Unsafe.Add(ref pnl, i);
            Unsafe.Add(ref joint, i) += p > 0 ? p * gainFactor : p;
        }
    }

    /// <summary>
    /// The loss of <see cref="WorstLoss"/> without the row: max(0, max over i of -pnl[i] x weight[i]); padding
    /// entries (weight 0) never count. NaN losses are skipped, as there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double WorstLossRow(ref double pnl, ref double weights, int length)
    {
        var worst = 0.0;
        if (Vector.IsHardwareAccelerated)
        {
            var best = Vector<double>.Zero;
            for (nuint i = 0; i < (nuint)length; i += (nuint)Vector<double>.Count)
            {
                var loss = -Vector.LoadUnsafe(ref pnl, i) * Vector.LoadUnsafe(ref weights, i);
                best = Vector.ConditionalSelect(Vector.GreaterThan(loss, best), loss, best);
            }

            for (var lane = 0; lane < Vector<double>.Count; lane++)
            {
                worst = best[lane] > worst ? best[lane] : worst;
            }

            return worst;
        }

        for (var i = 0; i < length; i++)
        {
            var loss = -Unsafe.Add(ref pnl, i) * Unsafe.Add(ref weights, i);
            worst = loss > worst ? loss : worst;
        }

        return worst;
    }

    /// <summary>
    /// Eight vectors of the sum over legs k of underlying <paramref name="underlying"/> of quantity[k] x row(leg k),
    /// starting at <paramref name="vectors"/> + leg x <paramref name="stride"/>, added from zero in leg order and
    /// stored to <paramref name="sum"/>. Accelerated hardware only.
    /// </summary>
    internal static void SumRows8(ReadOnlySpan<int> legs, ReadOnlySpan<double> quantities, int[] underlyingOf, int underlying,
        ref double vectors, int stride, ref double sum)
    {
        var c = (nuint)Vector<double>.Count;
        Vector<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (var k = 0; k < legs.Length; k++)
        {
            var i = legs[k];
            if (underlyingOf[i] != underlying)
            {
                continue;
            }

            var q = new Vector<double>(quantities[k]);
            ref var v = ref Unsafe.Add(ref vectors, unchecked((nint)i * stride));
            a0 += q * Vector.LoadUnsafe(ref v, 0);
            a1 += q * Vector.LoadUnsafe(ref v, c);
            a2 += q * Vector.LoadUnsafe(ref v, 2 * c);
            a3 += q * Vector.LoadUnsafe(ref v, 3 * c);
            a4 += q * Vector.LoadUnsafe(ref v, 4 * c);
            a5 += q * Vector.LoadUnsafe(ref v, 5 * c);
            a6 += q * Vector.LoadUnsafe(ref v, 6 * c);
            a7 += q * Vector.LoadUnsafe(ref v, 7 * c);
        }

        Vector.StoreUnsafe(a0, ref sum, 0);
        Vector.StoreUnsafe(a1, ref sum, c);
        Vector.StoreUnsafe(a2, ref sum, 2 * c);
        Vector.StoreUnsafe(a3, ref sum, 3 * c);
        Vector.StoreUnsafe(a4, ref sum, 4 * c);
        Vector.StoreUnsafe(a5, ref sum, 5 * c);
        Vector.StoreUnsafe(a6, ref sum, 6 * c);
        Vector.StoreUnsafe(a7, ref sum, 7 * c);
    }

    /// <summary>As <see cref="SumRows8"/>, one vector.</summary>
    internal static void SumRows1(ReadOnlySpan<int> legs, ReadOnlySpan<double> quantities, int[] underlyingOf, int underlying,
        ref double vectors, int stride, ref double sum)
    {
        var a = Vector<double>.Zero;
        for (var k = 0; k < legs.Length; k++)
        {
            var i = legs[k];
            if (underlyingOf[i] == underlying)
            {
                a += new Vector<double>(quantities[k]) * Vector.LoadUnsafe(ref Unsafe.Add(ref vectors, unchecked((nint)i * stride)));
            }
        }

        Vector.StoreUnsafe(a, ref sum);
    }
}
