namespace CrossMargin.Risk.Portfolios;

/// <summary>An open position in one instrument.</summary>
/// <param name="Symbol">The instrument's symbol.</param>
/// <param name="Quantity">Signed number of contracts: positive long, negative short.</param>
/// <param name="EntryPrice">
/// Average entry price in the instrument's price unit. It sets a future's unrealised P&amp;L; an option's premium
/// has already moved between balances, so an option is valued at its mark alone.
/// </param>
/// <param name="IsolatedMargin">
/// Margin set aside for this position alone, in its settlement asset, or null when the position shares the
/// cross-margin pool.
/// </param>
public sealed record Position(string Symbol, decimal Quantity, decimal EntryPrice, decimal? IsolatedMargin = null)
{
    /// <summary>True when the position has its own margin rather than the shared pool.</summary>
    public bool IsIsolated => IsolatedMargin is not null;
}
