using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Accounts;

/// <summary>An immutable picture of an account, as its actor holds it.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Mode">The cross pool's margin mode.</param>
/// <param name="Balances">Wallet balances, by asset (ordinal).</param>
/// <param name="Positions">Positions, by symbol.</param>
/// <param name="OpenOrders">Resting orders, by order id.</param>
/// <param name="Margin">The latest assessment (equity, IM, MM, available, status, margin ratio, valuation time), or null when none succeeded yet.</param>
/// <param name="Sequences">
/// The highest sequence applied from each source, by source (ordinal): a sender tells from it which of its messages the
/// view already reflects (the liquidation coordinator, whose auto-deleveraging fills may still be on their way). Null in
/// views from nodes that did not send it.
/// </param>
public sealed record AccountView(
    string AccountId,
    MarginMode Mode,
    IReadOnlyList<CollateralBalance> Balances,
    IReadOnlyList<Position> Positions,
    IReadOnlyList<OpenOrder> OpenOrders,
    MarginSummary? Margin,
    IReadOnlyList<SourceSequence>? Sequences = null)
{
    /// <summary>The highest sequence the view reflects from <paramref name="source"/>; 0 when none (or not stated).</summary>
    public long HighestOf(string source)
    {
        if (Sequences is { } sequences)
        {
            foreach (var sequence in sequences)
            {
                if (string.Equals(sequence.Source, source, StringComparison.Ordinal))
                {
                    return sequence.Highest;
                }
            }
        }

        return 0;
    }
}
