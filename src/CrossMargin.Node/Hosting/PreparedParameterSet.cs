using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Serialization;

namespace CrossMargin.Node.Hosting;

/// <summary>A posted parameter text, validated and built for one slot, not yet in force.</summary>
/// <param name="Slot">The slot it is for.</param>
/// <param name="Mode">The margin mode of the slot's accounts.</param>
/// <param name="Model">The model the slot takes from it.</param>
/// <param name="Text">The text as posted.</param>
/// <param name="Version">Its content hash.</param>
/// <param name="Parameters">The parsed parameters.</param>
/// <param name="Calculator">The calculator the slot would margin with.</param>
public sealed record PreparedParameterSet(string Slot, MarginMode Mode, string Model, string Text, string Version, RiskParameters Parameters,
    MarginCalculator Calculator);
