namespace CrossMargin.Engine.Liquidations;

/// <summary>The instruments where liquidation is halted, in ordinal order.</summary>
/// <param name="Symbols">The symbols.</param>
public sealed record HaltedInstruments(IReadOnlyList<string> Symbols);
