using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The auto-deleverage fills the coordinator sent that an account's view does not show yet, so that a view collected
/// before a round's fills were applied is never taken at face value: two rounds ranking the same counterparty from such
/// views would close its position twice and leave it holding the opposite one.
/// </summary>
/// <remarks>
/// A fill is reflected in a view once the view's highest "adl" sequence reaches the fill's sequence (the account applies
/// a source's messages in order). Fills are kept, not forgotten when a view shows them: views of one account can arrive
/// out of order (a broadcast's collector and a direct query take different paths), and an older one must still be
/// corrected. They are rebuilt from the coordinator's events on recovery, which the coordinator holds in memory anyway.
/// </remarks>
internal sealed class PendingAdlFills
{
    private readonly Dictionary<string, List<Fill>> _byAccount = new(StringComparer.Ordinal);

    /// <summary>Records both sides of every fill of <paramref name="executed"/>.</summary>
    public void Add(AutoDeleverageExecuted executed)
    {
        foreach (var fill in executed.Fills)
        {
            var signed = fill.Side == OrderSide.Buy ? fill.Quantity : -fill.Quantity;
            For(fill.AccountId).Add(new Fill(executed.CounterpartyMessageId(fill), executed.Symbol, fill.CounterpartySequence, signed, fill.Price));
            For(executed.AccountId).Add(new Fill(executed.BankruptMessageId(fill), executed.Symbol, fill.BankruptSequence, -signed, fill.Price));
        }
    }

    /// <summary>
    /// Records the reversal <paramref name="messageId"/> at <paramref name="sequence"/> of <paramref name="fill"/>'s
    /// counterparty side: the opposite trade at the same price.
    /// </summary>
    public void AddReversal(AutoDeleverageExecuted executed, AdlExecution fill, string messageId, long sequence)
    {
        ArgumentNullException.ThrowIfNull(executed);
        ArgumentNullException.ThrowIfNull(fill);
        var signed = fill.Side == OrderSide.Buy ? -fill.Quantity : fill.Quantity;
        For(fill.AccountId).Add(new Fill(messageId, executed.Symbol, sequence, signed, fill.Price));
    }

    /// <summary>
    /// Forgets the fill whose execution <paramref name="messageId"/> its account refused (it will never show in a view);
    /// false when the id is no auto-deleverage fill's.
    /// </summary>
    public bool Refused(string messageId)
    {
        foreach (var fills in _byAccount.Values)
        {
            if (fills.RemoveAll(f => f.MessageId == messageId) > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when a fill sent to the view's account is not reflected in it.</summary>
    public bool Awaits(AccountView view) => Unapplied(view) is { Count: > 0 };

    /// <summary>
    /// The view's position in <paramref name="symbol"/> with the fills it does not show yet added; null when that leaves
    /// none. A position the fills open (none shown) or turn to the other side is entered at their average price, as the
    /// account will book it: an entry of zero has no return to rank by, and an inverse contract cannot be valued at it.
    /// </summary>
    public Position? PositionAfter(AccountView view, string symbol)
    {
        var shown = view.Positions.FirstOrDefault(p => p.Symbol == symbol);
        var fills = Unapplied(view)?.FindAll(f => f.Symbol == symbol) ?? [];
        var quantity = (shown?.Quantity ?? 0m) + fills.Sum(f => f.SignedQuantity);
        if (quantity == 0m)
        {
            return null;
        }

        if (shown is not null && Math.Sign(shown.Quantity) == Math.Sign(quantity))
        {
            return shown with { Quantity = quantity };
        }

        var traded = fills.Sum(f => Math.Abs(f.SignedQuantity));
        return new Position(symbol, quantity, fills.Sum(f => Math.Abs(f.SignedQuantity) * f.Price) / traded);
    }

    /// <summary>
    /// What the fills the view does not show yet will take from its account's equity at <paramref name="market"/>: each
    /// one's loss against the mark (negative when it gains), so that an equity valued at that market, less this, is what
    /// the account is left with once they are applied.
    /// </summary>
    public decimal LossUsd(AccountView view, MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(market);
        var loss = 0m;
        foreach (var fill in Unapplied(view) ?? [])
        {
            var instrument = market.GetInstrument(fill.Symbol);
            var side = fill.SignedQuantity > 0 ? OrderSide.Buy : OrderSide.Sell;
            loss += LiquidationSlippage.LossUsd(instrument, side, Math.Abs(fill.SignedQuantity), market.MarkOf(fill.Symbol).MarkPrice, fill.Price,
                market.PriceOf(instrument.SettlementAsset));
        }

        return loss;
    }

    private List<Fill>? Unapplied(AccountView view)
    {
        // A view without sequences (from a node before they were sent) cannot say: taken as it is, as before.
        if (view.Sequences is null || !_byAccount.TryGetValue(view.AccountId, out var fills))
        {
            return null;
        }

        var applied = view.HighestOf(LiquidationCoordinator.AdlSource);
        var unapplied = fills.FindAll(f => f.Sequence > applied);
        return unapplied.Count > 0 ? unapplied : null;
    }

    private List<Fill> For(string accountId)
    {
        if (!_byAccount.TryGetValue(accountId, out var fills))
        {
            _byAccount[accountId] = fills = [];
        }

        return fills;
    }

    private readonly record struct Fill(string MessageId, string Symbol, long Sequence, decimal SignedQuantity, decimal Price);
}
