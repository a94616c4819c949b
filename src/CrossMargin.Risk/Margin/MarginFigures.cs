namespace CrossMargin.Risk.Margin;

/// <summary>
/// The figures of an <see cref="AccountMargin"/> without its explanation (no collateral lines, position valuations or
/// model breakdown): what the engine keeps and decides on after every change and mark. Equal, to the cent, to the
/// same fields of <see cref="MarginCalculator.Assess"/> for the same inputs.
/// </summary>
/// <param name="ValuationTime">The snapshot's instant.</param>
/// <param name="Model">The cross pool's model name.</param>
/// <param name="EquityUsd">Collateral + unrealised P&amp;L + option value, rounded down.</param>
/// <param name="InitialMarginUsd">Rounded up.</param>
/// <param name="MaintenanceMarginUsd">Rounded up.</param>
/// <param name="Status">Where the pool stands.</param>
/// <param name="Isolated">Isolated positions (already figures only).</param>
public sealed record MarginFigures(
    DateTimeOffset ValuationTime,
    string Model,
    decimal EquityUsd,
    decimal InitialMarginUsd,
    decimal MaintenanceMarginUsd,
    MarginStatus Status,
    IReadOnlyList<IsolatedPositionMargin> Isolated)
{
    /// <summary>Equity less initial margin: what new risk or a withdrawal may use (negative in a margin call).</summary>
    public decimal AvailableMarginUsd => EquityUsd - InitialMarginUsd;

    /// <summary>Maintenance margin over equity; at 1 or above the pool is liquidated (null at zero or negative equity).</summary>
    public decimal? MarginRatio => EquityUsd > 0 ? MaintenanceMarginUsd / EquityUsd : null;
}
