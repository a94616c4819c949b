using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Simulator;

/// <summary>
/// Marks every instrument from the simulated index: futures and perpetuals keep their basis to the index when the
/// model first saw them, options are repriced with Black-76 at that market's implied vol on a forward with the same
/// basis (inverse options quoted in coin, as the risk core reads them). Marks are rounded to the instrument's tick.
/// Contracts the venue lists after it opened are marked from the market they were first seen in (<see cref="Adopt"/>).
/// </summary>
public sealed class MarkModel
{
    private const double DaysPerYear = 365.0;
    private readonly SortedDictionary<string, (Instrument Instrument, MarketSnapshot Seen)> _marked = new(StringComparer.Ordinal);

    /// <summary>Prices relative to <paramref name="opening"/>, the venue's opening market.</summary>
    public MarkModel(MarketSnapshot opening)
    {
        ArgumentNullException.ThrowIfNull(opening);
        Adopt(opening);
    }

    /// <summary>
    /// Marks from now on every instrument <paramref name="market"/> lists that the model does not mark yet, relative to
    /// <paramref name="market"/>; returns those it adopted.
    /// </summary>
    public IReadOnlyList<Instrument> Adopt(MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(market);
        var adopted = new List<Instrument>();
        foreach (var instrument in market.Instruments)
        {
            if (_marked.TryAdd(instrument.Symbol, (instrument, market)))
            {
                adopted.Add(instrument);
            }
        }

        return adopted;
    }

    /// <summary>The marks of every live instrument whose underlying is in <paramref name="index"/>, at <paramref name="now"/>.</summary>
    public IReadOnlyList<SimulatedMark> MarksAt(IReadOnlyDictionary<string, decimal> index, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(index);
        var marks = new List<SimulatedMark>();
        foreach (var (instrument, seen) in _marked.Values)
        {
            if (instrument.IsExpiredAt(now) || !index.TryGetValue(instrument.Underlying, out var spot))
            {
                continue;
            }

            var ratio = (double)spot / (double)seen.PriceOf(instrument.Underlying);
            if (instrument is OptionContract option)
            {
                var inputs = seen.OptionInputsOf(option.Symbol);
                var forward = seen.ForwardOf(option.Underlying, option.Expiry!.Value) * ratio;
                var years = Math.Max((option.Expiry.Value - now).TotalDays / DaysPerYear, 1e-6);
                var usd = Black76.Price(option.Kind, forward, (double)option.Strike, years, inputs.Volatility, seen.UnderlyingOf(option.Underlying).Rate);
                var quoted = option.Settlement == SettlementKind.Inverse ? usd / forward : usd;
                marks.Add(new SimulatedMark(option.Symbol, Tick(Math.Max(quoted, (double)option.TickSize), option.TickSize), inputs.Volatility));
            }
            else
            {
                marks.Add(new SimulatedMark(instrument.Symbol, Tick((double)seen.MarkOf(instrument.Symbol).MarkPrice * ratio, instrument.TickSize), null));
            }
        }

        return marks;
    }

    private static decimal Tick(double price, decimal tick) => Math.Round((decimal)price / tick, MidpointRounding.AwayFromZero) * tick;
}
