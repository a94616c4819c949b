using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Margin;

/// <summary>
/// An account assessed at one market snapshot: its cross-margin pool (equity against requirement) and each isolated
/// position. Equity is rounded down and requirements up to the cent (<see cref="MarginRounding"/>); the unrounded
/// parts are kept so the explanation adds up.
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="ValuationTime">The snapshot's instant.</param>
/// <param name="Model">The cross pool's model name.</param>
/// <param name="Collateral">Each balance's valuation.</param>
/// <param name="Positions">Each cross position's valuation.</param>
/// <param name="CollateralValueUsd">Sum of haircut collateral values.</param>
/// <param name="UnrealisedPnlUsd">Sum of the cross futures' unrealised P&amp;L.</param>
/// <param name="OptionValueUsd">Sum of the cross options' mark values (negative for shorts).</param>
/// <param name="EquityUsd">Collateral + unrealised P&amp;L + option value, rounded down.</param>
/// <param name="InitialMarginUsd">Rounded up.</param>
/// <param name="MaintenanceMarginUsd">Rounded up.</param>
/// <param name="Status">Where the pool stands.</param>
/// <param name="Requirement">The model's unrounded requirement and its explanation.</param>
/// <param name="Isolated">Isolated positions.</param>
public sealed record AccountMargin(
    string AccountId,
    DateTimeOffset ValuationTime,
    string Model,
    IReadOnlyList<CollateralLine> Collateral,
    IReadOnlyList<PositionValuation> Positions,
    decimal CollateralValueUsd,
    decimal UnrealisedPnlUsd,
    decimal OptionValueUsd,
    decimal EquityUsd,
    decimal InitialMarginUsd,
    decimal MaintenanceMarginUsd,
    MarginStatus Status,
    MarginRequirement Requirement,
    IReadOnlyList<IsolatedPositionMargin> Isolated)
{
    /// <summary>Equity less initial margin: what new risk or a withdrawal may use (negative in a margin call).</summary>
    public decimal AvailableMarginUsd => EquityUsd - InitialMarginUsd;

    /// <summary>Maintenance margin over equity; at 1 or above the pool is liquidated (infinite at zero equity).</summary>
    public decimal? MarginRatio => EquityUsd > 0 ? MaintenanceMarginUsd / EquityUsd : null;

    /// <summary>The figures without the explanation (what <see cref="MarginCalculator.Figures(Portfolios.Portfolio, Market.MarketSnapshot)"/> computes alone).</summary>
    public MarginFigures Figures => new(ValuationTime, Model, EquityUsd, InitialMarginUsd, MaintenanceMarginUsd, Status, Isolated);

    /// <summary>The status of equity against requirements: bankrupt below 0, liquidation below MM, call below IM.</summary>
    public static MarginStatus StatusOf(decimal equity, decimal initial, decimal maintenance) =>
        equity < 0 ? MarginStatus.Bankrupt
        : equity < maintenance ? MarginStatus.Liquidation
        : equity < initial ? MarginStatus.MarginCall
        : MarginStatus.Healthy;
}
