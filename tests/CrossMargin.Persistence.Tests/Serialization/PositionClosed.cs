namespace CrossMargin.Persistence.Tests.Serialization;

/// <summary>Version 2 renamed <c>qty</c> to <see cref="Quantity"/> (an upcaster rewrites version 1 payloads).</summary>
public sealed record PositionClosed(string AccountId, string Instrument, decimal Quantity);
