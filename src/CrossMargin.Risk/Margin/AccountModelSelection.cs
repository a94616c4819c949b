namespace CrossMargin.Risk.Margin;

/// <summary>
/// Which model margins which account's cross pool: a default for every account and overrides by account id (a desk on
/// a composite, a market maker on SIMM-style margin). One <see cref="MarginCalculator"/> per model, built once and
/// shared, since calculators are pure and thread-safe.
/// </summary>
public sealed class AccountModelSelection
{
    private readonly MarginCalculator _default;
    private readonly Dictionary<string, MarginCalculator> _overrides;

    /// <summary>Creates the selection; <paramref name="calculatorFor"/> builds a calculator around a model.</summary>
    public AccountModelSelection(IMarginModel defaultModel, IReadOnlyDictionary<string, IMarginModel> perAccount, Func<IMarginModel, MarginCalculator> calculatorFor)
    {
        var byModel = new Dictionary<IMarginModel, MarginCalculator>(ReferenceEqualityComparer.Instance);
        MarginCalculator For(IMarginModel m)
        {
            if (!byModel.TryGetValue(m, out var c))
            {
                byModel[m] = c = calculatorFor(m);
            }

            return c;
        }

        _default = For(defaultModel);
        _overrides = perAccount.ToDictionary(p => p.Key, p => For(p.Value), StringComparer.Ordinal);
    }

    /// <summary>The calculator of <paramref name="accountId"/>: its override, else the default.</summary>
    public MarginCalculator CalculatorFor(string accountId) => _overrides.GetValueOrDefault(accountId, _default);

    /// <summary>Assesses <paramref name="portfolio"/> with its account's model.</summary>
    public AccountMargin Assess(Portfolios.Portfolio portfolio, Market.MarketSnapshot market) => CalculatorFor(portfolio.AccountId).Assess(portfolio, market);
}
