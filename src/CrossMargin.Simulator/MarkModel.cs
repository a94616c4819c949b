using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Simulator;

/// <summary>
/// Marks every instrument from the simulated index: futures and perpetuals keep their opening basis to the index,
/// options are repriced with Black-76 at their opening implied vol on a forward with the same basis (inverse options
/// quoted in coin, as the risk core reads them). Marks are rounded to the instrument's tick.
/// </summary>
public sealed class MarkModel
{
    private const double DaysPerYear = 365.0;
    private readonly MarketSnapshot _opening;

    /// <summary>Prices relative to <paramref name="opening"/>, the venue's opening market.</summary>
    public MarkModel(MarketSnapshot opening)
    {
        ArgumentNullException.ThrowIfNull(opening);
        _opening = opening;
    }

    /// <summary>The marks of every live instrument whose underlying is in <paramref name="index"/>, at <paramref name="now"/>.</summary>
    public IReadOnlyList<SimulatedMark> MarksAt(IReadOnlyDictionary<string, decimal> index, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(index);
        var marks = new List<SimulatedMark>();
        foreach (var instrument in _opening.Instruments.OrderBy(i => i.Symbol, StringComparer.Ordinal))
        {
            if (instrument.IsExpiredAt(now) || !index.TryGetValue(instrument.Underlying, out var spot))
            {
                continue;
            }

            var ratio = (double)spot / (double)_opening.PriceOf(instrument.Underlying);
            if (instrument is OptionContract option)
            {
                var inputs = _opening.OptionInputsOf(option.Symbol);
                var forward = _opening.ForwardOf(option.Underlying, option.Expiry!.Value) * ratio;
                var years = Math.Max((option.Expiry.Value - now).TotalDays / DaysPerYear, 1e-6);
                var usd = Black76.Price(option.Kind, forward, (double)option.Strike, years, inputs.Volatility, _opening.UnderlyingOf(option.Underlying).Rate);
                var quoted = option.Settlement == SettlementKind.Inverse ? usd / forward : usd;
                marks.Add(new SimulatedMark(option.Symbol, Tick(Math.Max(quoted, (double)option.TickSize), option.TickSize), inputs.Volatility));
            }
            else
            {
                marks.Add(new SimulatedMark(instrument.Symbol, Tick((double)_opening.MarkOf(instrument.Symbol).MarkPrice * ratio, instrument.TickSize), null));
            }
        }

        return marks;
    }

    private static decimal Tick(double price, decimal tick) => Math.Round((decimal)price / tick, MidpointRounding.AwayFromZero) * tick;
}
