namespace CrossMargin.Engine.Prices;

/// <summary>
/// The price feed knows its listing schedules' contracts further ahead (<see cref="MarketDefinition.ExtendedTo"/>): the
/// market publisher lists them at their time from now on. Sent by the feed before any price actor that prices them starts.
/// </summary>
/// <param name="Definition">The whole definition, the contracts already known included.</param>
internal sealed record ListingExtended(MarketDefinition Definition);
