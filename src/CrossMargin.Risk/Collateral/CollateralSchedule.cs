using System.Collections.Frozen;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Collateral;

/// <summary>
/// The venue's collateral rules. A positive balance counts at index value less its tiered haircut; a negative balance
/// (a loan) counts at its full value, with no haircut in the borrower's favour; an asset without a rule counts for
/// nothing when positive and in full when negative.
/// </summary>
public sealed class CollateralSchedule
{
    private readonly FrozenDictionary<string, CollateralRule> _rules;

    /// <summary>Creates a schedule with at most one rule per asset.</summary>
    public CollateralSchedule(IEnumerable<CollateralRule> rules)
    {
        var map = new Dictionary<string, CollateralRule>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (!map.TryAdd(rule.Asset, rule))
            {
                throw new ArgumentException($"Two collateral rules for {rule.Asset}.", nameof(rules));
            }
        }

        _rules = map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The rules, by asset.</summary>
    public IReadOnlyDictionary<string, CollateralRule> Rules => _rules;

    /// <summary>
    /// The sum of the collateral values <see cref="Value"/> gives, added in the balances' order (so to the last digit
    /// the same), without the lines.
    /// </summary>
    public decimal ValueUsd(IReadOnlyList<CollateralBalance> balances, MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(balances);
        ArgumentNullException.ThrowIfNull(market);
        var total = 0m;
        for (var i = 0; i < balances.Count; i++)
        {
            var (marketValue, haircut) = Haircut(balances[i], market);
            total += marketValue - haircut;
        }

        return total;
    }

    /// <summary>Values each balance; the lines come out in the balances' order.</summary>
    public IReadOnlyList<CollateralLine> Value(IEnumerable<CollateralBalance> balances, MarketSnapshot market)
    {
        var lines = new List<CollateralLine>();
        foreach (var balance in balances)
        {
            var (marketValue, haircut) = Haircut(balance, market);
            lines.Add(new CollateralLine(balance.Asset, balance.Amount, market.PriceOf(balance.Asset), marketValue, haircut, marketValue - haircut,
                _rules.ContainsKey(balance.Asset)));
        }

        return lines;
    }

    private (decimal MarketValue, decimal Haircut) Haircut(CollateralBalance balance, MarketSnapshot market)
    {
        var marketValue = balance.Amount * market.PriceOf(balance.Asset);
        var eligible = _rules.TryGetValue(balance.Asset, out var rule);
        return (marketValue, marketValue <= 0 ? 0m : eligible ? rule!.HaircutOn(marketValue) : marketValue);
    }
}
