namespace CrossMargin.Risk.Instruments;

/// <summary>
/// The strikes a <see cref="ListingSchedule"/> lists at each option expiry, a call and a put at each: the
/// <paramref name="Reference"/> price rounded to <paramref name="Step"/> and <paramref name="EachSide"/> steps either
/// side of it; their opening marks are Black-76 prices at <paramref name="OpeningVol"/> until the feed marks them.
/// </summary>
/// <param name="Reference">The price the grid is centred on (the venue's reference index of the underlying).</param>
/// <param name="Step">The distance between two strikes.</param>
/// <param name="EachSide">How many strikes above and below the centre.</param>
/// <param name="OpeningVol">The implied vol of a listed option's opening mark.</param>
public sealed record OptionStrikes(decimal Reference, decimal Step, int EachSide, double OpeningVol);
