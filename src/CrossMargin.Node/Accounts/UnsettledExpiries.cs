using CrossMargin.Engine.Accounts;
using CrossMargin.Node.Operations;
using CrossMargin.Risk.Market;

namespace CrossMargin.Node.Accounts;

/// <summary>
/// Which accounts still hold each expired instrument unsettled: until the venue's settlement reaches them they are
/// margined at the index, their deficit is neither covered nor passed on, and a late fill may still change them.
/// </summary>
/// <param name="ValuationTime">The market the instruments are expired in (the answering node's).</param>
/// <param name="Instruments">Every expired instrument the market keeps, by symbol.</param>
public sealed record UnsettledExpiries(DateTimeOffset ValuationTime, IReadOnlyList<UnsettledExpiry> Instruments)
{
    /// <summary>The live accounts read (a cluster answer: every answering member's).</summary>
    public int AccountsRead { get; init; }

    /// <summary><c>node</c> (one node's live accounts: an embedded node, or a member's local part) or <c>cluster</c>.</summary>
    public string Scope { get; init; } = "node";

    /// <summary>Whether some accounts are missing: a member did not answer, or a shard had no owner.</summary>
    public bool Partial { get; init; }

    /// <summary>Each node's part (accounts read, accounts awaiting a settlement), or why it did not answer; empty for one node.</summary>
    public IReadOnlyList<NodePart> Nodes { get; init; } = [];

    /// <summary>Shards no member held a lease for when asked (their accounts are not listed).</summary>
    public IReadOnlyList<int> UnservedShards { get; init; } = [];

    /// <summary>The accounts listed under any instrument, each once.</summary>
    public int AccountsAwaiting => Instruments.SelectMany(i => i.Holders).Select(h => h.AccountId).Distinct(StringComparer.Ordinal).Count();

    /// <summary>The expired instruments of <paramref name="market"/> and, for each, the accounts of <paramref name="views"/> holding it.</summary>
    public static UnsettledExpiries Of(IReadOnlyCollection<AccountView> views, MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(market);
        var expired = market.ExpiredInstruments.OrderBy(i => i.Symbol, StringComparer.Ordinal).ToArray();
        var holders = expired.ToDictionary(i => i.Symbol, _ => new List<UnsettledHolder>(), StringComparer.Ordinal);
        // Walked from each account's own positions and orders, not from the expired list: a market keeps every contract
        // expired since its listing began (hundreds after a few years), an account holds a few symbols.
        if (expired.Length > 0)
        {
            foreach (var view in views.OrderBy(v => v.AccountId, StringComparer.Ordinal))
            {
                var symbols = view.Positions.Where(p => p.Quantity != 0).Select(p => p.Symbol).Concat(view.OpenOrders.Select(o => o.Symbol))
                    .Where(holders.ContainsKey).Distinct(StringComparer.Ordinal);
                foreach (var symbol in symbols)
                {
                    var position = view.Positions.FirstOrDefault(p => p.Symbol == symbol && p.Quantity != 0);
                    var orders = view.OpenOrders.Count(o => o.Symbol == symbol);
                    holders[symbol].Add(new UnsettledHolder(view.AccountId, position?.Quantity ?? 0m, position?.EntryPrice ?? 0m, orders));
                }
            }
        }

        return new UnsettledExpiries(market.ValuationTime, [.. expired.Select(i => new UnsettledExpiry(i.Symbol, i.Expiry!.Value, holders[i.Symbol]))])
        {
            AccountsRead = views.Count,
        };
    }
}
