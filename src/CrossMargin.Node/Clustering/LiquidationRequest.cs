namespace CrossMargin.Node.Clustering;

/// <summary>The body of an operator's request to the liquidation singleton: what it is about, where the request type needs it.</summary>
/// <param name="Id">The liquidation (for <see cref="ClusterMessageTypes.ShowLiquidation"/>, and for <see cref="ClusterMessageTypes.Resume"/> of one liquidation's hold alone).</param>
/// <param name="Symbol">The instrument (for <see cref="ClusterMessageTypes.Halt"/> and <see cref="ClusterMessageTypes.Resume"/>).</param>
public sealed record LiquidationRequest(string? Id = null, string? Symbol = null);
