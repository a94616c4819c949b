using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin.Standard;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Margin;

/// <summary>
/// Assesses whole accounts: values collateral and positions, applies the cross pool's model, and assesses isolated
/// positions with the standard rules on their own margin. Pure and thread-safe.
/// </summary>
public sealed class MarginCalculator
{
    /// <summary>Creates a calculator.</summary>
    /// <param name="crossModel">The model of the cross-margin pool.</param>
    /// <param name="standard">The standard model, used for isolated positions and liquidation prices.</param>
    /// <param name="collateral">Collateral haircuts.</param>
    public MarginCalculator(IMarginModel crossModel, StandardMarginModel standard, CollateralSchedule collateral)
    {
        CrossModel = crossModel;
        Standard = standard;
        Collateral = collateral;
    }

    /// <summary>The cross pool's model.</summary>
    public IMarginModel CrossModel { get; }

    /// <summary>The standard model.</summary>
    public StandardMarginModel Standard { get; }

    /// <summary>The collateral rules.</summary>
    public CollateralSchedule Collateral { get; }

    /// <summary>Assesses <paramref name="portfolio"/> at <paramref name="market"/>.</summary>
    public AccountMargin Assess(Portfolio portfolio, MarketSnapshot market)
    {
        foreach (var symbol in portfolio.Positions.Select(p => p.Symbol).Concat(portfolio.OpenOrders.Select(o => o.Symbol)))
        {
            _ = market.GetInstrument(symbol);
        }

        var valued = portfolio.Positions.Where(p => p.Quantity != 0 || p.IsIsolated).Select(p => PositionValuation.Of(p, market)).ToArray();
        var cross = valued.Where(v => !v.Position.IsIsolated).ToArray();
        var isolatedSymbols = valued.Where(v => v.Position.IsIsolated).Select(v => v.Position.Symbol).ToHashSet(StringComparer.Ordinal);
        var crossOrders = portfolio.OpenOrders.Where(o => !isolatedSymbols.Contains(o.Symbol)).ToArray();

        var collateral = Collateral.Value(portfolio.Balances, market);
        var collateralValue = collateral.Sum(c => c.CollateralValueUsd);
        var pnl = cross.Where(v => v.Instrument is not OptionContract).Sum(v => v.ValueUsd);
        var optionValue = cross.Where(v => v.Instrument is OptionContract).Sum(v => v.ValueUsd);
        var requirement = cross.Length == 0 && crossOrders.Length == 0 ? MarginRequirement.None : CrossModel.Compute(cross, crossOrders, market);
        var equity = MarginRounding.Equity(collateralValue + pnl + optionValue);
        var im = MarginRounding.Requirement(requirement.InitialMarginUsd);
        var mm = MarginRounding.Requirement(requirement.MaintenanceMarginUsd);

        var isolated = valued.Where(v => v.Position.IsIsolated)
            .Select(v => AssessIsolated(v, portfolio.OpenOrders.Where(o => o.Symbol == v.Position.Symbol).ToArray(), market))
            .ToArray();
        return new AccountMargin(portfolio.AccountId, market.ValuationTime, CrossModel.Name, collateral, cross,
            collateralValue, pnl, optionValue, equity, im, mm, AccountMargin.StatusOf(equity, im, mm), requirement, isolated);
    }

    /// <summary>
    /// The figures of <see cref="Assess"/> for <paramref name="portfolio"/> at <paramref name="market"/>, to the last digit,
    /// without building the explanation: collateral lines, the model's breakdown and its text.
    /// </summary>
    public MarginFigures Figures(Portfolio portfolio, MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        return Figures(portfolio.Balances, portfolio.Positions, portfolio.OpenOrders, market);
    }

    /// <summary>
    /// <see cref="Figures(Portfolio, MarketSnapshot)"/> for an account's holdings given directly, as its owner keeps them:
    /// balances one per asset, positions one per symbol, order ids unique, quantities as a <see cref="Portfolio"/> requires
    /// (the caller vouches for it; nothing here checks it again).
    /// </summary>
    public MarginFigures Figures(IReadOnlyList<CollateralBalance> balances, IReadOnlyList<Position> positions, IReadOnlyList<OpenOrder> openOrders, MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(balances);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(openOrders);
        ArgumentNullException.ThrowIfNull(market);

        // The same order of work as Assess, so the same exceptions for the same bad inputs and the same sums.
        for (var i = 0; i < positions.Count; i++)
        {
            _ = market.GetInstrument(positions[i].Symbol);
        }

        for (var i = 0; i < openOrders.Count; i++)
        {
            _ = market.GetInstrument(openOrders[i].Symbol);
        }

        List<PositionValuation>? cross = null;
        List<PositionValuation>? isolated = null;
        for (var i = 0; i < positions.Count; i++)
        {
            var position = positions[i];
            if (position.IsIsolated)
            {
                (isolated ??= []).Add(PositionValuation.Of(position, market));
            }
            else if (position.Quantity != 0)
            {
                (cross ??= []).Add(PositionValuation.Of(position, market));
            }
        }

        IReadOnlyList<OpenOrder> crossOrders = openOrders;
        if (isolated is not null && openOrders.Count > 0)
        {
            crossOrders = openOrders.Where(o => !isolated.Exists(v => v.Position.Symbol == o.Symbol)).ToArray();
        }

        var collateralValue = Collateral.ValueUsd(balances, market);
        decimal pnl = 0m, optionValue = 0m;
        if (cross is not null)
        {
            foreach (var valuation in cross)
            {
                if (valuation.Instrument is OptionContract)
                {
                    optionValue += valuation.ValueUsd;
                }
                else
                {
                    pnl += valuation.ValueUsd;
                }
            }
        }

        var requirement = cross is null && crossOrders.Count == 0
            ? default
            : CrossModel.ComputeFigures(cross ?? (IReadOnlyList<PositionValuation>)[], crossOrders, market);
        var equity = MarginRounding.Equity(collateralValue + pnl + optionValue);
        var im = MarginRounding.Requirement(requirement.InitialMarginUsd);
        var mm = MarginRounding.Requirement(requirement.MaintenanceMarginUsd);
        IReadOnlyList<IsolatedPositionMargin> isolatedMargins = isolated is null
            ? []
            : isolated.Select(v => AssessIsolated(v, openOrders.Where(o => o.Symbol == v.Position.Symbol).ToArray(), market)).ToArray();
        return new MarginFigures(market.ValuationTime, CrossModel.Name, equity, im, mm, AccountMargin.StatusOf(equity, im, mm), isolatedMargins);
    }

    private IsolatedPositionMargin AssessIsolated(PositionValuation position, OpenOrder[] orders, MarketSnapshot market)
    {
        var requirement = Standard.ComputeFigures([position], orders, market);
        var margin = position.Position.IsolatedMargin!.Value * market.PriceOf(position.Instrument.SettlementAsset);
        var rawEquity = margin + position.ValueUsd;
        var equity = MarginRounding.Equity(rawEquity);
        var im = MarginRounding.Requirement(requirement.InitialMarginUsd);
        var mm = MarginRounding.Requirement(requirement.MaintenanceMarginUsd);
        decimal? liquidation = position.Instrument is not OptionContract && position.Instrument.Settlement == SettlementKind.Linear
            ? LiquidationPrice.ForLinear(position, Standard.Parameters.ScheduleFor(position.Instrument), rawEquity, 0, market.PriceOf(position.Instrument.QuoteAsset))
            : null;
        return new IsolatedPositionMargin(position.Position.Symbol, equity, im, mm, AccountMargin.StatusOf(equity, im, mm), liquidation);
    }
}
