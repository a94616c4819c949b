using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>
/// Portfolio margin by scenarios. Per underlying: the worst weighted loss over the risk array, at least the short
/// option minimum, plus the roll shock; less credits between correlated underlyings. Open orders count toward IM as
/// the worst of the positions alone, with every buy filled, and with every sell filled; MM = factor x IM of the
/// positions alone. Kernel arithmetic is in double (error far below a cent, pinned by tests); the explanation's
/// figures are snapped to 1e-6 USD and the totals are summed from them in decimal, so they add up exactly.
/// </summary>
public sealed class ScenarioMarginModel : IMarginModel
{
    private readonly ConditionalWeakTable<MarketSnapshot, ScenarioVectorSet> _vectors = [];

    /// <summary>Creates the model.</summary>
    public ScenarioMarginModel(PortfolioMarginParameters parameters) => Parameters = parameters;

    /// <summary>The model's parameters.</summary>
    public PortfolioMarginParameters Parameters { get; }

    /// <inheritdoc />
    public string Name => "portfolio";

    /// <summary>The vectors of <paramref name="market"/>, built on first use and kept while the snapshot lives.</summary>
    public ScenarioVectorSet VectorsFor(MarketSnapshot market) => _vectors.GetValue(market, m => ScenarioVectorSet.Build(Parameters, m));

    /// <summary>True when the vectors of <paramref name="market"/> are built already (a warmed snapshot costs nothing to margin).</summary>
    public bool HasVectorsFor(MarketSnapshot market) => _vectors.TryGetValue(market, out _);

    /// <inheritdoc />
    public MarginRequirement Compute(IReadOnlyList<PositionValuation> positions, IReadOnlyList<OpenOrder> openOrders, MarketSnapshot market)
    {
        var set = VectorsFor(market);
        var symbols = positions.Select(p => p.Position.Symbol).Concat(openOrders.Select(o => o.Symbol)).Distinct(StringComparer.Ordinal).ToArray();
        var legs = symbols.Select(set.InstrumentIndexOf).ToArray();
        var held = symbols.Select(s => (double)(positions.FirstOrDefault(p => p.Position.Symbol == s)?.Position.Quantity ?? 0m)).ToArray();
        var accrued = new double[set.Underlyings.Count];
        foreach (var p in positions.Where(p => p.Instrument.Settlement == SettlementKind.Inverse))
        {
            accrued[set.UnderlyingIndexOf(p.Instrument.Underlying)] += (double)p.Value;
        }

        (string Name, double[] Quantities)[] cases =
        [
            ("positions", held),
            ("positions + buy orders", Shifted(symbols, held, openOrders, OrderSide.Buy)),
            ("positions + sell orders", Shifted(symbols, held, openOrders, OrderSide.Sell)),
        ];
        var evaluated = cases.Select(c => Explain(set, c.Name, legs, c.Quantities, accrued)).ToArray();
        var binding = evaluated[0];
        foreach (var candidate in evaluated.Skip(1))
        {
            if (candidate.Im > binding.Im)
            {
                binding = candidate;
            }
        }

        var mm = evaluated[0].Im * (decimal)Parameters.MaintenanceFactor;
        return new MarginRequirement(binding.Im, mm, Portfolio: binding.Explanation with { PositionsInitialMarginUsd = evaluated[0].Im });
    }

    /// <summary>
    /// Initial margin of holdings <paramref name="quantities"/> in instruments <paramref name="legs"/>, in double,
    /// without an explanation: the allocation-free path for re-margining a whole book.
    /// <paramref name="scratch"/> needs underlyings x scenarios entries; with <see cref="ScenarioVectorSet.ScratchLength"/>
    /// entries the method works in it alone, otherwise also on the stack. <paramref name="accruedCoin"/> is empty or
    /// holds, per underlying, the coin already accrued by inverse contracts (see <see cref="ScenarioVectorSet.CoinVector"/>).
    /// </summary>
    public static double InitialMargin(ScenarioVectorSet set, ReadOnlySpan<int> legs, ReadOnlySpan<double> quantities, ReadOnlySpan<double> accruedCoin, Span<double> scratch)
    {
        // Layout: the rows, Stride apart (whole vectors, zero-padded); an offset's joint row; then per underlying
        // the short minimum, roll shock, worst loss and a touched flag. A scratch of the documented underlyings x
        // scenarios is too short for that, and the work area then lives on the stack (the heap past 8 KB).
        var stride = set.Stride;
        var underlyings = set.UnderlyingCount;
        var needed = set.ScratchLength;
        var area = scratch.Length >= needed ? scratch[..needed] : needed <= 1024 ? stackalloc double[needed] : new double[needed];
        var rows = area[..(underlyings * stride)];
        var joint = area.Slice(underlyings * stride, stride);
        var perUnderlying = area[((underlyings + 1) * stride)..];
        perUnderlying.Clear();
        var floor = perUnderlying[..underlyings];
        var roll = perUnderlying.Slice(underlyings, underlyings);
        var worst = perUnderlying.Slice(2 * underlyings, underlyings);
        var touched = perUnderlying.Slice(3 * underlyings, underlyings);
        AccumulateLegs(set, legs, quantities, rows, touched, floor, roll);
        ref var pnl = ref MemoryMarshal.GetReference(rows);
        ref var coin = ref MemoryMarshal.GetArrayDataReference(set.PaddedCoin);
        for (var u = 0; u < accruedCoin.Length; u++)
        {
            if (accruedCoin[u] != 0)
            {
                if (touched[u] == 0)
                {
                    rows.Slice(u * stride, stride).Clear();
                    touched[u] = 1;
                }

                ScenarioKernel.AccumulateRow(ref Unsafe.Add(ref pnl, unchecked((nint)u * stride)), ref Unsafe.Add(ref coin, unchecked((nint)u * stride)), accruedCoin[u], stride);
            }
        }

        ref var weights = ref MemoryMarshal.GetArrayDataReference(set.PaddedWeights);
        var total = 0.0;
        for (var u = 0; u < underlyings; u++)
        {
            if (touched[u] != 0)
            {
                worst[u] = ScenarioKernel.WorstLossRow(ref Unsafe.Add(ref pnl, unchecked((nint)u * stride)), ref weights, stride);
                total += Math.Max(worst[u], floor[u]) + roll[u];
            }
        }

        var offsets = set.Parameters.Offsets;
        var members = set.OffsetMembers;
        for (var o = 0; o < members.Length; o++)
        {
            // As OffsetCredit, reusing each member's worst loss computed above.
            joint.Clear();
            var standalone = 0.0;
            var counted = 0;
            foreach (var u in members[o])
            {
                if (touched[u] != 0)
                {
                    counted++;
                    standalone += worst[u];
                    ScenarioKernel.AddScaledGains(ref MemoryMarshal.GetReference(joint), ref Unsafe.Add(ref pnl, u * stride), set.Parameters.GainFactor, stride);
                }
            }

            if (counted >= 2)
            {
                var jointLoss = ScenarioKernel.WorstLossRow(ref MemoryMarshal.GetReference(joint), ref weights, stride);
                total -= offsets[o].CreditRate * Math.Max(0, standalone - jointLoss);
            }
        }

        return total;
    }

    /// <summary>
    /// The hot loop of <see cref="InitialMargin(ScenarioVectorSet, ReadOnlySpan{int}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double})"/>.
    /// First the short minimum and roll shock per underlying; then, per underlying held, its legs' padded rows summed
    /// in registers (eight vectors at a time) and stored once. Summing in memory would chain every leg's loads behind
    /// the previous leg's stores; in registers the loads of successive legs overlap. Each underlying's legs are added
    /// in their order, as before, so results are unchanged to the bit.
    /// </summary>
    private static void AccumulateLegs(ScenarioVectorSet set, ReadOnlySpan<int> legs, ReadOnlySpan<double> quantities,
        Span<double> rows, Span<double> touched, Span<double> floor, Span<double> roll)
    {
        var stride = set.Stride;
        var underlyingOf = set.UnderlyingIndexes;
        var shortMinimum = set.ShortOptionMinimums;
        var rollShock = set.RollShocks;
        quantities = quantities[..legs.Length];
        for (var k = 0; k < legs.Length; k++)
        {
            var i = legs[k];
            var u = underlyingOf[i];
            var q = quantities[k];
            touched[u] = 1;

            // Branch-free: long legs add exactly 0 (the minimum is finite), and signs are a coin toss in a book.
            floor[u] += Math.Max(-q, 0) * shortMinimum[i];
            roll[u] += Math.Abs(q) * rollShock[i];
        }

        ref var vectors = ref MemoryMarshal.GetArrayDataReference(set.PaddedPnl);
        for (var u = 0; u < touched.Length; u++)
        {
            if (touched[u] == 0)
            {
                continue;
            }

            var row = rows.Slice(u * stride, stride);
            if (!Vector.IsHardwareAccelerated)
            {
                row.Clear();
                for (var k = 0; k < legs.Length; k++)
                {
                    if (underlyingOf[legs[k]] == u)
                    {
                        ScenarioKernel.AccumulateRow(ref MemoryMarshal.GetReference(row), ref Unsafe.Add(ref vectors, unchecked((nint)legs[k] * stride)), quantities[k], stride);
                    }
                }

                continue;
            }

            var block = 8 * Vector<double>.Count;
            var from = 0;
            for (; from + block <= stride; from += block)
            {
                ScenarioKernel.SumRows8(legs, quantities, underlyingOf, u, ref Unsafe.Add(ref vectors, from), stride, ref MemoryMarshal.GetReference(row[from..]));
            }

            for (; from < stride; from += Vector<double>.Count)
            {
                ScenarioKernel.SumRows1(legs, quantities, underlyingOf, u, ref Unsafe.Add(ref vectors, from), stride, ref MemoryMarshal.GetReference(row[from..]));
            }
        }
    }

    private static double OffsetCredit(ScenarioVectorSet set, CorrelationOffset offset, ReadOnlySpan<double> scratch, ReadOnlySpan<byte> touched, out double standalone, out double joint)
    {
        var n = set.ScenarioCount;
        Span<double> combined = stackalloc double[n];
        Span<double> scaled = stackalloc double[n];
        combined.Clear();
        standalone = 0;
        var members = 0;
        foreach (var name in offset.Underlyings)
        {
            var u = set.FindUnderlying(name);
            if (u < 0 || touched[u] == 0)
            {
                continue;
            }

            members++;
            var pnl = scratch.Slice(u * n, n);
            standalone += ScenarioKernel.WorstLoss(pnl, set.Weights).Loss;
            pnl.CopyTo(scaled);
            ScenarioKernel.ScaleGains(scaled, set.Parameters.GainFactor);
            ScenarioKernel.Accumulate(combined, scaled, 1.0);
        }

        joint = ScenarioKernel.WorstLoss(combined, set.Weights).Loss;
        return members < 2 ? 0 : offset.CreditRate * Math.Max(0, standalone - joint);
    }

    private static double[] Shifted(string[] symbols, double[] held, IReadOnlyList<OpenOrder> orders, OrderSide side)
    {
        var quantities = (double[])held.Clone();
        foreach (var order in orders.Where(o => o.Side == side))
        {
            quantities[Array.IndexOf(symbols, order.Symbol)] += (double)order.SignedQuantity;
        }

        return quantities;
    }

    private (decimal Im, PortfolioMarginExplanation Explanation) Explain(
        ScenarioVectorSet set, string caseName, int[] legs, double[] quantities, double[] accrued)
    {
        var n = set.ScenarioCount;
        var scratch = new double[set.Underlyings.Count * n];
        var touched = new byte[set.Underlyings.Count];
        for (var k = 0; k < legs.Length; k++)
        {
            var u = set.UnderlyingOf(legs[k]);
            touched[u] = 1;
            ScenarioKernel.Accumulate(scratch.AsSpan(u * n, n), set.PnlVector(legs[k]), quantities[k]);
        }

        for (var u = 0; u < accrued.Length; u++)
        {
            if (accrued[u] != 0)
            {
                touched[u] = 1;
                ScenarioKernel.Accumulate(scratch.AsSpan(u * n, n), set.CoinVector(u), accrued[u]);
            }
        }

        var risks = new List<UnderlyingRisk>();
        for (var u = 0; u < touched.Length; u++)
        {
            if (touched[u] != 0)
            {
                risks.Add(UnderlyingRiskOf(set, u, legs, quantities, accrued[u], scratch.AsSpan(u * n, n)));
            }
        }

        var credits = new List<OffsetCredit>();
        foreach (var offset in Parameters.Offsets)
        {
            var credit = OffsetCredit(set, offset, scratch, touched, out var standalone, out var joint);
            if (credit > 0)
            {
                // Snapping the credit on its own can round it above the snapped scan risks it gives back (two risks of
                // x.0000004 snap down, their sum x.0000008 snaps up), leaving IM at -0.000001: cap it at those risks.
                var members = risks.Where(r => offset.Underlyings.Contains(r.Underlying, StringComparer.Ordinal)).Sum(r => r.ScanRiskUsd);
                var creditUsd = Math.Min(MarginRounding.FromKernel(credit), members);
                credits.Add(new OffsetCredit(offset.Underlyings, MarginRounding.FromKernel(standalone), MarginRounding.FromKernel(joint), offset.CreditRate, creditUsd));
            }
        }

        var im = risks.Sum(r => r.RiskUsd) - credits.Sum(c => c.CreditUsd);
        return (im, new PortfolioMarginExplanation(caseName, risks, credits, 0, Parameters.MaintenanceFactor));
    }

    private static UnderlyingRisk UnderlyingRiskOf(ScenarioVectorSet set, int u, int[] legs, double[] quantities, double accrued, ReadOnlySpan<double> pnl)
    {
        var (loss, row) = ScenarioKernel.WorstLoss(pnl, set.Weights);
        var contributions = new List<InstrumentContribution>();
        double floor = 0, roll = 0;
        for (var k = 0; k < legs.Length; k++)
        {
            if (set.UnderlyingOf(legs[k]) != u)
            {
                continue;
            }

            var q = quantities[k];
            floor += q < 0 ? -q * set.ShortOptionMinimumPerContract(legs[k]) : 0;
            roll += Math.Abs(q) * set.RollShockPerContract(legs[k]);
            var share = row < 0 ? 0 : q * set.PnlVector(legs[k])[row];
            contributions.Add(new InstrumentContribution(set.SymbolOf(legs[k]), q, MarginRounding.FromKernel(share)));
        }

        if (accrued != 0)
        {
            var share = row < 0 ? 0 : accrued * set.CoinVector(u)[row];
            contributions.Add(new InstrumentContribution($"{set.Underlyings[u]} accrued", accrued, MarginRounding.FromKernel(share)));
        }

        var scan = MarginRounding.FromKernel(loss);
        var som = MarginRounding.FromKernel(floor);
        var rollUsd = MarginRounding.FromKernel(roll);
        var label = row < 0 ? "no scenario loses" : set.Parameters.Scenarios[row].Label;
        return new UnderlyingRisk(set.Underlyings[u], row, label, contributions.Sum(c => c.PnlUsd), scan, som, rollUsd,
            Math.Max(scan, som) + rollUsd, contributions);
    }
}
