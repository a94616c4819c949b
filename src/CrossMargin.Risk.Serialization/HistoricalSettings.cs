using CrossMargin.Risk.Historical;

namespace CrossMargin.Risk.Serialization;

/// <summary>The historical-simulation section of a parameter file, with its price history read.</summary>
/// <param name="Parameters">VaR/ES parameters (the measure is chosen by the model name: var or es).</param>
/// <param name="History">The price history.</param>
/// <param name="HistoryPath">Where the history was read from.</param>
public sealed record HistoricalSettings(HistoricalSimulationParameters Parameters, PriceHistory History, string HistoryPath);
