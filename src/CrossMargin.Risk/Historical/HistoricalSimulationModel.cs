using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Historical;

/// <summary>
/// Historical-simulation VaR or ES as a margin model. Each scenario moves every underlying by the exponential of its
/// horizon log return and, when the history has implied vols for it, multiplies every vol of that underlying by the
/// exponential of the vol's horizon log change (a relative move: the whole smile scales, sticky strike), then fully
/// revalues the holdings (<see cref="Revaluation"/>: Black-76 for options; futures with the forward). Underlyings
/// without vols in the history keep their vols. The measure is floored by the same measure over a stressed period when
/// one is set. Open orders count as the worst of positions, buys filled, sells filled.
/// </summary>
public sealed class HistoricalSimulationModel : IMarginModel
{
    private readonly HistoricalScenarioSet _current;
    private readonly HistoricalScenarioSet? _stressed;

    /// <summary>Creates the model; builds the scenarios once (throws when the history is too short).</summary>
    public HistoricalSimulationModel(HistoricalSimulationParameters parameters, PriceHistory history)
    {
        Parameters = parameters.Validate();
        History = history;
        _current = HistoricalScenarioSet.Current(history, parameters);
        _stressed = parameters.StressedFrom is null ? null : HistoricalScenarioSet.Stressed(history, parameters);
    }

    /// <summary>The model's parameters.</summary>
    public HistoricalSimulationParameters Parameters { get; }

    /// <summary>The price history.</summary>
    public PriceHistory History { get; }

    /// <summary>The current scenarios.</summary>
    public HistoricalScenarioSet Scenarios => _current;

    /// <inheritdoc />
    public string Name => Parameters.Measure == RiskMeasure.ValueAtRisk ? "var" : "es";

    /// <inheritdoc />
    public MarginRequirement Compute(IReadOnlyList<PositionValuation> positions, IReadOnlyList<OpenOrder> openOrders, MarketSnapshot market)
    {
        var evaluated = Holding.Cases(positions, openOrders, market.GetInstrument).Select(c => Explain(c.Case, c.Holdings, market)).ToArray();
        var binding = evaluated.MaxBy(e => e.Im);
        var positionsIm = evaluated[0].Im;
        return new MarginRequirement(binding.Im, positionsIm * (decimal)Parameters.MaintenanceFactor,
            Historical: binding.Explanation with { PositionsInitialMarginUsd = positionsIm });
    }

    /// <summary>The portfolio P&amp;L of <paramref name="holdings"/> in each scenario of <paramref name="set"/>, USD.</summary>
    public static double[] ScenarioPnl(HistoricalScenarioSet set, IReadOnlyList<Holding> holdings, MarketSnapshot market)
    {
        var pnl = new double[set.Count];
        foreach (var h in holdings)
        {
            var returns = set.ReturnsOf(h.Instrument.Underlying);
            var vols = set.VolatilityChangesOf(h.Instrument.Underlying);
            for (var s = 0; s < pnl.Length; s++)
            {
                pnl[s] += h.PnlUsd(market, Math.Exp(returns[s]), 0, vols.IsEmpty ? 1 : Math.Exp(vols[s]));
            }
        }

        return pnl;
    }

    private (decimal Im, HistoricalExplanation Explanation) Explain(string caseName, IReadOnlyList<Holding> holdings, MarketSnapshot market)
    {
        var p = Parameters;
        var (var, es, worst, worstLoss) = Measures(_current, holdings, market);
        double? stressedVar = null, stressedEs = null;
        if (_stressed is not null)
        {
            var s = Measures(_stressed, holdings, market);
            (stressedVar, stressedEs) = (s.Var, s.Es);
        }

        var measure = p.Measure == RiskMeasure.ValueAtRisk ? Math.Max(var, stressedVar ?? var) : Math.Max(es, stressedEs ?? es);
        var im = MarginRounding.FromKernel(Math.Max(measure, 0));
        return (im, new HistoricalExplanation(Name, caseName, _current.Count, p.VarConfidence, p.EsConfidence, p.HorizonDays, p.Horizon,
            p.EwmaLambda is not null, MarginRounding.FromKernel(var), MarginRounding.FromKernel(es),
            stressedVar is { } sv ? MarginRounding.FromKernel(sv) : null, stressedEs is { } se ? MarginRounding.FromKernel(se) : null,
            worst, MarginRounding.FromKernel(worstLoss), 0, p.MaintenanceFactor,
            holdings.Where(h => h.Instrument is Instruments.OptionContract).Select(h => h.Instrument.Underlying)
                .Where(u => _current.VolatilityUnderlyings.Contains(u, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray()));
    }

    private (double Var, double Es, DateOnly Worst, double WorstLoss) Measures(HistoricalScenarioSet set, IReadOnlyList<Holding> holdings, MarketSnapshot market)
    {
        var pnl = ScenarioPnl(set, holdings, market);
        var losses = pnl.Select(x => -x).ToArray();
        var worstIndex = 0;
        for (var s = 1; s < losses.Length; s++)
        {
            worstIndex = losses[s] > losses[worstIndex] ? s : worstIndex;
        }

        var sorted = TailMeasures.WorstFirst(losses);
        return (TailMeasures.ValueAtRisk(sorted, Parameters.VarConfidence), TailMeasures.ExpectedShortfall(sorted, Parameters.EsConfidence),
            set.Dates[worstIndex], losses[worstIndex]);
    }
}
