using CrossMargin.Risk.Market;

namespace CrossMargin.Risk.Instruments;

/// <summary>A contract of a <see cref="ListingSchedule"/> and when the schedule lists it (it is listed until it expires).</summary>
/// <param name="Instrument">The contract.</param>
/// <param name="ListedAt">When it is listed.</param>
/// <param name="OpeningVol">For an option, the implied vol of its opening mark; null for a future.</param>
public sealed record ListedContract(Instrument Instrument, DateTimeOffset ListedAt, double? OpeningVol)
{
    /// <summary>
    /// The mark the contract is listed with until the feed marks it: a future at the forward, an option at its Black-76
    /// price at <see cref="OpeningVol"/> on that forward (in coin when inverse), each to the nearest tick and at least one.
    /// </summary>
    /// <param name="market">The underlying's market (its forwards).</param>
    /// <param name="index">The underlying's index now.</param>
    /// <param name="now">The listing instant.</param>
    public InstrumentMark OpeningMark(UnderlyingMarket market, decimal index, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(market);
        var expiry = Instrument.Expiry!.Value;
        var forward = market.ForwardFor(expiry, now, (double)index);
        if (Instrument is not OptionContract option)
        {
            return new InstrumentMark(Instrument.Symbol, Tick(forward));
        }

        var vol = OpeningVol ?? throw new InvalidOperationException($"{option.Symbol}: an option is listed with an opening vol.");
        return new InstrumentMark(option.Symbol, option.ModelMark(forward, now, vol, market.Rate), vol);
    }

    private decimal Tick(double price)
    {
        var tick = Instrument.TickSize;
        return Math.Max(tick, Math.Round((decimal)price / tick, MidpointRounding.AwayFromZero) * tick);
    }
}
