using CrossMargin.Risk.Market;

namespace CrossMargin.Engine.Prices;

/// <summary>
/// What a price actor accepted in one turn (one update or one batch, with the held marks it replaced or re-priced);
/// sent to the market publisher as one message so that no snapshot can take part of a turn: an index without the held
/// marks it pushed out of the band or the option marks it re-priced, or a tick's index without its marks.
/// </summary>
/// <param name="Asset">The price actor's asset, the underlying its marks are on.</param>
/// <param name="Indices">The accepted index prices of the asset, oldest first (a batch may carry several).</param>
/// <param name="Marks">
/// The accepted marks, oldest first, then the held marks the turn's index move replaced or re-priced; an option's with
/// its vol (given or implied on acceptance, kept when re-priced).
/// </param>
internal sealed record PricesAccepted(string Asset, IReadOnlyList<decimal> Indices, IReadOnlyList<InstrumentMark> Marks);
