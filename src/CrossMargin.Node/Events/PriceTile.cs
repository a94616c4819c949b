namespace CrossMargin.Node.Events;

/// <summary>One underlying or asset on the dashboard's price board.</summary>
/// <param name="Name">The underlying or asset.</param>
/// <param name="Index">Its index price in USD.</param>
/// <param name="UpdatedAt">When its index, marks or vols last moved (the dashboard shows staleness from it).</param>
/// <param name="Marks">Marks of its perpetuals and futures, by symbol.</param>
public sealed record PriceTile(string Name, decimal Index, DateTimeOffset UpdatedAt, IReadOnlyDictionary<string, decimal> Marks);
