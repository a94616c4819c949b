namespace CrossMargin.Simulator;

/// <summary>
/// Who may hold each dated contract, as the simulated venue knows it: every account a fill in the contract went to (its
/// own trades, the liquidation fills it made, the ADL notices it heard). At the contract's expiry the venue settles
/// each of them, as a venue sends funding; one that has gone flat since answers <c>unknownPosition</c>, which is no error.
/// </summary>
public sealed class ExpiryHolders
{
    private readonly Dictionary<string, SortedSet<string>> _holders = new(StringComparer.Ordinal);

    /// <summary>Records that <paramref name="accountId"/> was filled in <paramref name="symbol"/>.</summary>
    public void Filled(string accountId, string symbol)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        if (!_holders.TryGetValue(symbol, out var accounts))
        {
            _holders[symbol] = accounts = new SortedSet<string>(StringComparer.Ordinal);
        }

        accounts.Add(accountId);
    }

    /// <summary>Every account filled in <paramref name="symbol"/>, in ordinal order.</summary>
    public IReadOnlyList<string> Of(string symbol) => _holders.TryGetValue(symbol, out var accounts) ? [.. accounts] : [];
}
