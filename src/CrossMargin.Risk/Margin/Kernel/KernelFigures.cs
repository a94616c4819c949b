namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// The four numbers of a cross pool that <see cref="StandardCrossKernel"/> computes: the same as the
/// <see cref="MarginFigures"/> of <see cref="MarginCalculator.Figures(Portfolios.Portfolio, Market.MarketSnapshot)"/>, without the
/// allocation.
/// </summary>
/// <param name="EquityUsd">Collateral + unrealised P&amp;L + option value, rounded down to the cent.</param>
/// <param name="InitialMarginUsd">Rounded up to the cent.</param>
/// <param name="MaintenanceMarginUsd">Rounded up to the cent.</param>
/// <param name="Status">Where the pool stands.</param>
public readonly record struct KernelFigures(decimal EquityUsd, decimal InitialMarginUsd, decimal MaintenanceMarginUsd, MarginStatus Status)
{
    /// <summary>The same numbers as <see cref="MarginFigures"/> at <paramref name="market"/> for a model named <paramref name="model"/>.</summary>
    public MarginFigures ToFigures(Market.MarketSnapshot market, string model)
    {
        ArgumentNullException.ThrowIfNull(market);
        return new MarginFigures(market.ValuationTime, model, EquityUsd, InitialMarginUsd, MaintenanceMarginUsd, Status, []);
    }
}
