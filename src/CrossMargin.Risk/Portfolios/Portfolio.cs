namespace CrossMargin.Risk.Portfolios;

/// <summary>Everything an account holds: balances, positions and resting orders.</summary>
public sealed record Portfolio
{
    /// <summary>Creates a portfolio; throws when a position, order id or balance asset appears twice.</summary>
    public Portfolio(string accountId, IEnumerable<CollateralBalance> balances, IEnumerable<Position> positions,
        IEnumerable<OpenOrder>? openOrders = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        AccountId = accountId;
        Balances = Unique(balances, b => b.Asset, "balance in asset");
        Positions = Unique(positions, p => p.Symbol, "position in");
        OpenOrders = Unique(openOrders ?? [], o => o.OrderId, "open order");
        foreach (var order in OpenOrders)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(order.Quantity, nameof(openOrders));
        }

        foreach (var position in Positions)
        {
            if (position.IsolatedMargin is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(positions), $"Isolated margin of {position.Symbol} must not be negative.");
            }
        }
    }

    /// <summary>The account's id.</summary>
    public string AccountId { get; }

    /// <summary>Wallet balances (the cross-margin pool), one per asset.</summary>
    public IReadOnlyList<CollateralBalance> Balances { get; }

    /// <summary>Open positions, one per instrument.</summary>
    public IReadOnlyList<Position> Positions { get; }

    /// <summary>Resting orders.</summary>
    public IReadOnlyList<OpenOrder> OpenOrders { get; }

    /// <summary>The same portfolio with every position, order and balance multiplied by <paramref name="factor"/>.</summary>
    public Portfolio Scale(decimal factor) => new(
        AccountId,
        Balances.Select(b => b with { Amount = b.Amount * factor }),
        Positions.Select(p => p with { Quantity = p.Quantity * factor, IsolatedMargin = p.IsolatedMargin * factor }),
        OpenOrders.Select(o => o with { Quantity = o.Quantity * factor }));

    private static T[] Unique<T>(IEnumerable<T> items, Func<T, string> key, string what)
    {
        var array = items.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in array)
        {
            if (!seen.Add(key(item)))
            {
                throw new ArgumentException($"Duplicate {what} {key(item)}.");
            }
        }

        return array;
    }
}
