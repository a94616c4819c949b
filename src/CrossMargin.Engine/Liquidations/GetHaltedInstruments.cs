namespace CrossMargin.Engine.Liquidations;

/// <summary>Asks the coordinator for its <see cref="HaltedInstruments"/>.</summary>
public sealed record GetHaltedInstruments
{
    /// <summary>The one instance.</summary>
    public static GetHaltedInstruments Instance { get; } = new();
}
