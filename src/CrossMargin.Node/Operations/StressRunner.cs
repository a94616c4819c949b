using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Node.Operations;

/// <summary>Runs a stress scenario over account views with the engine's own calculators.</summary>
public static class StressRunner
{
    /// <summary>How many breaching accounts an answer lists (a node's local part lists them all, for the cluster's totals).</summary>
    public const int Listed = 100;

    /// <summary>
    /// Assesses every view at <paramref name="before"/> and at <paramref name="stressed"/>: the local part of node
    /// <paramref name="node"/>, every breaching account listed; <paramref name="fund"/> is null when the node runs no fund.
    /// </summary>
    public static StressReport Run(StressRequest request, MarketSnapshot before, MarketSnapshot stressed, IReadOnlyList<AccountView> views,
        AccountMarginModels models, InsuranceFundView? fund, string node)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(stressed);
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(models);
        var accounts = new List<StressedAccount>();
        var failures = new List<string>();
        foreach (var view in views)
        {
            try
            {
                var calculator = models.For(view.Mode);
                var portfolio = PortfolioOf(view, before);
                var now = view.Margin?.Status ?? calculator.Assess(portfolio, before).Status;
                var after = calculator.Assess(portfolio, stressed);
                accounts.Add(new StressedAccount(view.AccountId, now, after.Status, after.EquityUsd, after.MaintenanceMarginUsd,
                    Math.Max(0, after.MaintenanceMarginUsd - after.EquityUsd), Math.Max(0, -after.EquityUsd)));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException or ArithmeticException)
            {
                failures.Add($"{view.AccountId}: {e.Message}");
            }
        }

        var breaching = accounts.Where(a => a.StatusAfter is MarginStatus.Liquidation or MarginStatus.Bankrupt)
            .OrderByDescending(a => a.ShortfallUsd).ThenBy(a => a.AccountId, StringComparer.Ordinal).ToArray();
        var deficit = breaching.Sum(a => a.DeficitUsd);
        decimal? fundUsd = fund is null ? null : Math.Round(fund.Balances.Where(b => stressed.HasPrice(b.Key)).Sum(b => b.Value * stressed.PriceOf(b.Key)), 2);
        return new StressReport(request.Spot ?? new Dictionary<string, decimal>(), request.VolPoints ?? 0, before.ValuationTime, accounts.Count,
            breaching.Length, breaching.Count(a => a.StatusAfter == MarginStatus.Bankrupt), breaching.Sum(a => a.ShortfallUsd), deficit,
            fundUsd, fundUsd is { } f ? f >= deficit : null, CoverageOf(fundUsd, deficit), breaching, failures, "node", Partial: false,
            [new NodePart(node, Answered: true, accounts.Count, breaching.Length, null)], []);
    }

    /// <summary>Fund / deficit to 4 places, or null without a deficit or without a fund.</summary>
    public static decimal? CoverageOf(decimal? fundUsd, decimal deficitUsd) => deficitUsd > 0 && fundUsd is { } f ? Math.Round(f / deficitUsd, 4) : null;

    /// <summary>
    /// The portfolio an account view holds, valued in <paramref name="market"/>: a holding in an instrument that has expired
    /// there and awaits the venue's settlement is settled at its index (<see cref="ExpirySettlement.AtIndex"/>), as the
    /// account margins itself (its price risk ended at expiry, and no calculator values an expired instrument).
    /// </summary>
    public static Portfolio PortfolioOf(AccountView view, MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(view);
        var held = new Portfolio(view.AccountId, view.Balances, view.Positions, view.OpenOrders);
        return ExpirySettlement.AtIndex(held, market) ?? held;
    }
}
