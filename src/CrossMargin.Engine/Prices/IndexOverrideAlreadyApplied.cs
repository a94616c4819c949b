namespace CrossMargin.Engine.Prices;

/// <summary>
/// The answer to an <see cref="AcceptNextIndex"/> whose id the asset's band has seen: the override was armed, or armed and
/// spent, already (on this node, or on the node whose stored state this one started from), and is not armed again.
/// </summary>
/// <param name="Asset">The asset code.</param>
/// <param name="Id">The override's id.</param>
/// <param name="LastIndex">The index in force now.</param>
/// <param name="Armed">Whether an override is armed now (this one, not spent yet, or a later one).</param>
public sealed record IndexOverrideAlreadyApplied(string Asset, string Id, decimal LastIndex, bool Armed);
