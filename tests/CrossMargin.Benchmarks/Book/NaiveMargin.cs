using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Benchmarks.Book;

/// <summary>
/// The baseline the scenario vectors replace: per account, every option leg is revalued with Black-76 under every
/// scenario (and once at the base), with the same parameters and the same formulas as
/// <see cref="ScenarioVectorSet"/> and <see cref="ScenarioMarginModel.InitialMargin"/>, so the answers agree.
/// Only the scalar inputs of each instrument (forward, vol, size) are looked up once; no P&amp;L is precomputed.
/// Linear instruments only, as in <see cref="SyntheticMarket"/>.
/// </summary>
internal sealed class NaiveMargin
{
    private readonly PortfolioMarginParameters _parameters;
    private readonly LegInputs[] _inputs;
    private readonly string[] _underlyings;
    private readonly int _rows;

    public NaiveMargin(PortfolioMarginParameters parameters, MarketSnapshot market, IReadOnlyList<Instrument> instruments)
    {
        _parameters = parameters;
        _rows = parameters.Scenarios.Count;
        _underlyings = instruments.Select(i => i.Underlying).Distinct().Order(StringComparer.Ordinal).ToArray();
        _inputs = instruments.Select(i => Inputs(i, market)).ToArray();
    }

    /// <summary>Scratch entries <see cref="InitialMargin"/> needs.</summary>
    public int ScratchLength => _underlyings.Length * _rows;

    /// <summary>IM of one account, revaluing every leg under every scenario.</summary>
    public double InitialMargin(ReadOnlySpan<int> legs, ReadOnlySpan<double> quantities, Span<double> scratch)
    {
        var scenarios = _parameters.Scenarios;
        Span<bool> touched = stackalloc bool[_underlyings.Length];
        Span<double> floor = stackalloc double[_underlyings.Length];
        Span<double> roll = stackalloc double[_underlyings.Length];
        Span<double> joint = stackalloc double[_rows];
        scratch.Clear();
        for (var k = 0; k < legs.Length; k++)
        {
            var leg = _inputs[legs[k]];
            var q = quantities[k];
            var pnl = scratch.Slice(leg.Underlying * _rows, _rows);
            touched[leg.Underlying] = true;
            floor[leg.Underlying] += q < 0 ? -q * leg.ShortMinimum : 0;
            roll[leg.Underlying] += Math.Abs(q) * leg.RollShock;
            var baseValue = leg.Option is { } o ? Black76.Price(o.Kind, leg.Forward, leg.Strike, leg.Years, leg.Vol, leg.Rate) : 0;
            for (var s = 0; s < _rows; s++)
            {
                var m = scenarios[s].FractionFor(leg.Risk.PriceRange);
                double perContract;
                if (leg.Option is { } option)
                {
                    var vol = leg.Risk.VolShock.Apply(leg.Vol, leg.Years * 365.0, scenarios[s].Vol);
                    var value = Black76.Price(option.Kind, leg.Forward * (1 + m), leg.Strike, leg.Aged, vol, leg.Rate);
                    perContract = leg.Size * (value - baseValue) * leg.Quote;
                }
                else
                {
                    perContract = leg.Size * leg.Mark * m * leg.Quote;
                }

                pnl[s] += q * perContract;
            }
        }

        var total = 0.0;
        for (var u = 0; u < _underlyings.Length; u++)
        {
            total += touched[u] ? Math.Max(WorstLoss(scratch.Slice(u * _rows, _rows)), floor[u]) + roll[u] : 0;
        }

        foreach (var offset in _parameters.Offsets)
        {
            joint.Clear();
            var standalone = 0.0;
            var members = 0;
            foreach (var name in offset.Underlyings)
            {
                var u = Array.IndexOf(_underlyings, name);
                if (u < 0 || !touched[u])
                {
                    continue;
                }

                members++;
                var pnl = scratch.Slice(u * _rows, _rows);
                standalone += WorstLoss(pnl);
                for (var s = 0; s < _rows; s++)
                {
                    joint[s] += pnl[s] > 0 ? pnl[s] * _parameters.GainFactor : pnl[s];
                }
            }

            total -= members < 2 ? 0 : offset.CreditRate * Math.Max(0, standalone - WorstLoss(joint));
        }

        return total;
    }

    private double WorstLoss(ReadOnlySpan<double> pnl)
    {
        var worst = 0.0;
        for (var s = 0; s < pnl.Length; s++)
        {
            worst = Math.Max(worst, -pnl[s] * _parameters.Scenarios[s].Weight);
        }

        return worst;
    }

    private LegInputs Inputs(Instrument instrument, MarketSnapshot market)
    {
        if (instrument.Settlement != SettlementKind.Linear)
        {
            throw new NotSupportedException($"{instrument.Symbol}: the naive baseline covers linear instruments only.");
        }

        var risk = _parameters.For(instrument.Underlying);
        var index = (double)market.PriceOf(instrument.Underlying);
        var size = (double)instrument.ContractSize;
        var quote = (double)market.PriceOf(instrument.QuoteAsset);
        var underlying = Array.IndexOf(_underlyings, instrument.Underlying);
        if (instrument is OptionContract option)
        {
            var o = market.OptionInputsOf(option.Symbol);
            var aged = Math.Max(o.Years - (_parameters.LookAheadDays / 365.0), 0);
            return new LegInputs(underlying, risk, option, size, quote, Mark: 0, o.Forward, (double)option.Strike, o.Years, aged, o.Volatility,
                o.Rate, ShortMinimum: risk.ShortOptionMinimum * index * size, RollShock: 0);
        }

        var mark = (double)market.MarkOf(instrument.Symbol).MarkPrice;
        var years = instrument.Expiry is { } e ? Math.Max(YearFraction.Act365(market.ValuationTime, e), 0) : 0;
        var roll = size * mark * quote * Math.Max(risk.AnnualisedMoveRisk * years, risk.MinAnnualisedMove);
        return new LegInputs(underlying, risk, null, size, quote, mark, 0, 0, 0, 0, 0, 0, ShortMinimum: 0, RollShock: roll);
    }

    private sealed record LegInputs(
        int Underlying, UnderlyingRiskParameters Risk, OptionContract? Option, double Size, double Quote, double Mark,
        double Forward, double Strike, double Years, double Aged, double Vol, double Rate, double ShortMinimum, double RollShock);
}
