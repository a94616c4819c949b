using CrossMargin.Risk.Market;

namespace CrossMargin.Engine.Prices;

/// <summary>A price actor accepted a mark; sent to the market publisher.</summary>
/// <param name="Underlying">The instrument's underlying, which moved.</param>
/// <param name="Mark">The mark, an option's with its vol (given or implied on acceptance).</param>
internal sealed record MarkAccepted(string Underlying, InstrumentMark Mark);
