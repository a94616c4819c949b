namespace CrossMargin.Engine.Liquidations;

/// <summary>The liquidation orders whose report the coordinator still awaits.</summary>
/// <param name="Outstanding">Orders of steps under way, within their order timeout.</param>
/// <param name="Expired">
/// Orders counted as unfilled (expired, or out when their liquidation ended) and remembered for a late report, which
/// still charges its fill's fee, until <see cref="LiquidationCoordinatorSettings.LateReportHorizon"/> has passed.
/// </param>
public sealed record UnreportedOrders(int Outstanding, int Expired);
