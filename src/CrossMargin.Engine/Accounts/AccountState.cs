using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The state of one account: balances, positions, open orders, margin mode and deduplication. Mutable and owned by one
/// actor; changed only by <see cref="Apply"/>, which is deterministic (the same events give the same state on every
/// node), so replaying the journal rebuilds it exactly. Trade and funding arithmetic is <see cref="TradeAccounting"/> and
/// <see cref="FundingPayment"/>, never re-derived here.
/// </summary>
public sealed class AccountState
{
    private static readonly Func<CollateralBalance, string> AssetOf = b => b.Asset;
    private static readonly Func<CollateralBalance, decimal> AmountOf = b => b.Amount;
    private static readonly Func<Position, string> SymbolOf = p => p.Symbol;
    private static readonly Func<OpenOrder, string> OrderIdOf = o => o.OrderId;
    private static readonly Func<Position, Position> Itself = p => p;
    private static readonly Func<OpenOrder, OpenOrder> OrderItself = o => o;
    private static readonly Func<SettledExpiry, string> SettledSymbolOf = s => s.Symbol;

    // Sorted by ordinal key so that snapshots, portfolios and explanations come out in the same order on every node.
    // Small arrays, replaced on every change and never edited in place (SortedArrays): a few hundred bytes less per
    // account than sorted dictionaries, handed to the margin calculator without a copy, and shared by what-if copies.
    private CollateralBalance[] _balances = [];
    private Position[] _positions = [];
    private OpenOrder[] _openOrders = [];

    // The expired instruments the venue has settled this account for: a fill in one executed before its expiry that
    // arrives after the settlement would leave a position nothing settles any more. One per contract settled, with the
    // venue's price: a fill booked in its settled form since is settled at exactly that price.
    private SettledExpiry[] _settledExpiries = [];

    /// <summary>Creates an empty account in <see cref="MarginMode.StandardCross"/>.</summary>
    /// <param name="accountId">The account's id.</param>
    /// <param name="dedupeCapacity">How many recent message ids deduplication remembers.</param>
    public AccountState(string accountId, int dedupeCapacity = MessageLedger.DefaultCapacity)
        : this(accountId, new MessageLedger(dedupeCapacity))
    {
    }

    private AccountState(string accountId, MessageLedger messages)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        AccountId = accountId;
        Messages = messages;
    }

    /// <summary>The account's id.</summary>
    public string AccountId { get; }

    /// <summary>True once the account was opened; messages to an account that is not open are refused.</summary>
    public bool IsOpen { get; private set; }

    /// <summary>The cross pool's margin mode.</summary>
    public MarginMode Mode { get; private set; }

    /// <summary>Wallet balances by asset (negative when borrowed).</summary>
    public IReadOnlyDictionary<string, decimal> Balances => new KeyedArrayView<CollateralBalance, decimal>(_balances, AssetOf, AmountOf);

    /// <summary>Positions by symbol.</summary>
    public IReadOnlyDictionary<string, Position> Positions => new KeyedArrayView<Position, Position>(_positions, SymbolOf, Itself);

    /// <summary>Resting orders by order id, with their unfilled quantity.</summary>
    public IReadOnlyDictionary<string, OpenOrder> OpenOrders => new KeyedArrayView<OpenOrder, OpenOrder>(_openOrders, OrderIdOf, OrderItself);

    /// <summary>The balances in asset order, as the margin calculator takes them (never changed in place).</summary>
    internal IReadOnlyList<CollateralBalance> BalanceList => _balances;

    /// <summary>The positions in symbol order, as the margin calculator takes them (never changed in place).</summary>
    internal IReadOnlyList<Position> PositionList => _positions;

    /// <summary>The resting orders in order id order, as the margin calculator takes them (never changed in place).</summary>
    internal IReadOnlyList<OpenOrder> OpenOrderList => _openOrders;

    /// <summary>Deduplication and ordering of inbound messages.</summary>
    public MessageLedger Messages { get; }

    /// <summary>The expired instruments this account was settled for (<see cref="ExpirySettled"/>), with their prices where known, in symbol order.</summary>
    public IReadOnlyList<SettledExpiry> SettledExpiries => _settledExpiries;

    /// <summary>Whether the venue settled this account's holding in the expired instrument <paramref name="symbol"/>.</summary>
    public bool WasSettled(string symbol) => SortedArrays.IndexOf(_settledExpiries, symbol, SettledSymbolOf) >= 0;

    /// <summary>
    /// The venue's settlement price this account was settled at for the expired instrument <paramref name="symbol"/>; null
    /// when it was not settled for it, or was before the price was kept (restored from a snapshot written then).
    /// </summary>
    public decimal? SettledAt(string symbol)
    {
        var index = SortedArrays.IndexOf(_settledExpiries, symbol, SettledSymbolOf);
        return index >= 0 ? _settledExpiries[index].SettlementPrice : null;
    }

    /// <summary>The balance in <paramref name="asset"/>, zero when there is none.</summary>
    public decimal BalanceOf(string asset)
    {
        var index = SortedArrays.IndexOf(_balances, asset, AssetOf);
        return index >= 0 ? _balances[index].Amount : 0m;
    }

    /// <summary>
    /// Applies <paramref name="event"/>, looking instruments up with <paramref name="instruments"/>, and records its
    /// message id and sequence. Events are facts already decided: a bad one (an instrument that does not resolve) throws
    /// rather than being skipped, since skipping would make this state differ from the journal.
    /// </summary>
    /// <exception cref="InvalidOperationException">The event names an instrument the lookup does not know, or one of the wrong kind.</exception>
    public void Apply(IAccountEvent @event, Func<string, Instrument?> instruments)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentNullException.ThrowIfNull(instruments);
        switch (@event)
        {
            case AccountOpened e:
                IsOpen = true;
                Mode = e.Mode;
                break;
            case ExecutionApplied e:
                ApplyExecution(e, InstrumentOf(instruments, e.Symbol));
                break;
            case SettledExecutionApplied e:
                // The account was settled for the instrument before this fill: the position it opens is settled at once.
                ApplyExecution(e.Trade, InstrumentOf(instruments, e.Trade.Symbol));
                Settle(InstrumentOf(instruments, e.Trade.Symbol), e.SettlementPrice);
                break;
            case OrderAccepted e:
                _openOrders = SortedArrays.Set(_openOrders, new OpenOrder(e.OrderId, e.Symbol, e.Side, e.Quantity, e.LimitPrice), OrderIdOf);
                break;
            case OrderCancelled e:
                _openOrders = SortedArrays.Remove(_openOrders, e.OrderId, OrderIdOf);
                break;
            case AllOrdersCancelled:
            case SequenceVoided:
                break;
            case Deposited e:
                Credit(e.Asset, e.Amount);
                break;
            case Withdrawn e:
                Credit(e.Asset, -e.Amount);
                break;
            case DeficitCovered e:
                Credit(e.Asset, e.Amount);
                break;
            case LiquidationFeeCharged e:
                Credit(e.Asset, -e.Amount);
                break;
            case FundingSettled e:
                ApplyFunding(e, InstrumentOf(instruments, e.Symbol));
                break;
            case ExpirySettled e:
                Settle(InstrumentOf(instruments, e.Symbol), e.SettlementPrice);
                _settledExpiries = SortedArrays.Set(_settledExpiries, new SettledExpiry(e.Symbol, e.SettlementPrice), SettledSymbolOf);
                break;
            case MarginModeChanged e:
                ApplyMarginMode(e, instruments);
                break;
            default:
                throw new InvalidOperationException($"Account {AccountId}: unknown event type {@event.GetType()}.");
        }

        Messages.Record(@event.MessageId, @event.Source, @event.Sequence);
    }

    /// <summary>
    /// Records <paramref name="event"/>'s message id and sequence only: the account adopts the holdings it produces from
    /// the decider's copy afterwards (<see cref="AdoptDecided"/>). The id's fingerprint is taken from
    /// <paramref name="decision"/>'s check when the event carries the id it checked (every event of a command does).
    /// </summary>
    internal void RecordDecided(IAccountEvent @event, AccountDecision decision)
    {
        if (decision.IdCheck is { } check && string.Equals(@event.MessageId, decision.CheckedId, StringComparison.Ordinal))
        {
            Messages.RecordFingerprint(check.IdFingerprint, @event.Source, @event.Sequence);
        }
        else
        {
            Messages.Record(@event.MessageId, @event.Source, @event.Sequence);
        }
    }

    /// <summary>
    /// Takes mode, open flag, balances, positions, orders and settled expiries from <paramref name="decided"/>: a <see cref="WhatIf"/> copy of
    /// this very state with a command's events applied at the same market, which is exactly what applying them here gives
    /// (the arrays are never edited in place, so sharing them is safe). The events' ids go through <see cref="RecordDecided"/>.
    /// </summary>
    internal void AdoptDecided(AccountState decided)
    {
        // A what-if copy starts closed (WhatIf does not carry the flag) and only AccountOpened opens it; nothing closes one.
        IsOpen |= decided.IsOpen;
        Mode = decided.Mode;
        _balances = decided._balances;
        _positions = decided._positions;
        _openOrders = decided._openOrders;
        _settledExpiries = decided._settledExpiries;
    }

    /// <summary>
    /// Whether <paramref name="other"/> holds positions and open orders in the same symbols and non-zero balances in the
    /// same assets, in the same order: the account's interest topics depend on nothing else, so at one market the two
    /// states have the same topics. Conservative: states that differ only in order ids or zero balances count as different.
    /// </summary>
    internal bool SameTopicShapeAs(AccountState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (_positions.Length != other._positions.Length || _openOrders.Length != other._openOrders.Length
            || _balances.Length != other._balances.Length)
        {
            return false;
        }

        for (var i = 0; i < _positions.Length; i++)
        {
            if (!string.Equals(_positions[i].Symbol, other._positions[i].Symbol, StringComparison.Ordinal))
            {
                return false;
            }
        }

        for (var i = 0; i < _openOrders.Length; i++)
        {
            if (!string.Equals(_openOrders[i].Symbol, other._openOrders[i].Symbol, StringComparison.Ordinal))
            {
                return false;
            }
        }

        for (var i = 0; i < _balances.Length; i++)
        {
            if (!string.Equals(_balances[i].Asset, other._balances[i].Asset, StringComparison.Ordinal)
                || (_balances[i].Amount != 0) != (other._balances[i].Amount != 0))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The account as a Risk <see cref="Portfolio"/> for <see cref="Risk.Margin.MarginCalculator"/>.</summary>
    public Portfolio ToPortfolio() => new(AccountId, _balances, _positions, _openOrders);

    /// <summary>The whole state, serializable.</summary>
    public AccountSnapshot ToSnapshot() => new(
        AccountId,
        Mode,
        _balances.ToArray(),
        _positions.ToArray(),
        _openOrders.ToArray(),
        Messages.ToSnapshot(),
        IsOpen,
        _settledExpiries.Length == 0 ? null : _settledExpiries.Select(s => s.Symbol).ToArray(),
        _settledExpiries.Any(s => s.SettlementPrice is not null) ? _settledExpiries.Where(s => s.SettlementPrice is not null).ToArray() : null);

    /// <summary>Rebuilds a state from <paramref name="snapshot"/>.</summary>
    public static AccountState FromSnapshot(AccountSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var state = new AccountState(snapshot.AccountId, MessageLedger.FromSnapshot(snapshot.Messages)) { Mode = snapshot.Mode, IsOpen = snapshot.IsOpen };
        foreach (var balance in snapshot.Balances)
        {
            state._balances = SortedArrays.Set(state._balances, balance, AssetOf);
        }

        foreach (var position in snapshot.Positions)
        {
            state._positions = SortedArrays.Set(state._positions, position, SymbolOf);
        }

        foreach (var order in snapshot.OpenOrders)
        {
            state._openOrders = SortedArrays.Set(state._openOrders, order, OrderIdOf);
        }

        // Symbols alone from a snapshot written before the prices were kept (and, beside the prices, in every one since, for
        // a node of that version to read): their price is not known.
        foreach (var symbol in snapshot.SettledExpiries ?? [])
        {
            state._settledExpiries = SortedArrays.Set(state._settledExpiries, new SettledExpiry(symbol, null), SettledSymbolOf);
        }

        foreach (var settled in snapshot.SettledAt ?? [])
        {
            state._settledExpiries = SortedArrays.Set(state._settledExpiries, settled, SettledSymbolOf);
        }

        return state;
    }

    /// <summary>An independent copy, deduplication included.</summary>
    public AccountState Clone() => FromSnapshot(ToSnapshot());

    /// <summary>
    /// A copy of balances, positions, orders and mode with the shared what-if ledger, which records nothing: what a hypothetical change (pre-trade
    /// check, margin effect of a withdrawal) is computed on, without copying the remembered ids. The arrays are shared:
    /// neither side ever edits one in place.
    /// </summary>
    internal AccountState WhatIf() =>
        new(AccountId, MessageLedger.ForWhatIf()) { Mode = Mode, _balances = _balances, _positions = _positions, _openOrders = _openOrders, _settledExpiries = _settledExpiries };

    private void ApplyExecution(ExecutionApplied e, Instrument instrument)
    {
        var fill = new Fill(e.Symbol, e.Side, e.Quantity, e.Price, e.Fee);
        var result = TradeAccounting.Apply(PositionOf(e.Symbol), instrument, fill);
        _positions = result.Position is { } position
            ? SortedArrays.Set(_positions, position, SymbolOf)
            : SortedArrays.Remove(_positions, e.Symbol, SymbolOf);

        Credit(result.SettlementAsset, result.BalanceChange);

        // A fill reduces the order it belongs to; fills of orders not resting here (IOC, market, liquidation) reduce none.
        var index = SortedArrays.IndexOf(_openOrders, e.OrderId, OrderIdOf);
        if (index >= 0 && _openOrders[index] is var order && string.Equals(order.Symbol, e.Symbol, StringComparison.Ordinal))
        {
            var remaining = order.Quantity - e.Quantity;
            _openOrders = remaining > 0
                ? SortedArrays.Set(_openOrders, order with { Quantity = remaining }, OrderIdOf)
                : SortedArrays.Remove(_openOrders, e.OrderId, OrderIdOf);
        }
    }

    private void ApplyFunding(FundingSettled e, Instrument instrument)
    {
        // The position the venue states it settled on wins over the one held now: a fill from another source may have
        // reached the account on the other side of the funding message from the side of the funding time it traded on.
        var held = PositionOf(e.Symbol);
        var quantity = e.PositionQuantity ?? held?.Quantity ?? 0m;
        if (quantity == 0)
        {
            return;
        }

        // Funding of an isolated position goes to the wallet, as its realized P&L does (TradeAccounting's rule). Only the
        // quantity and symbol count for funding; the entry is any positive price.
        var position = held is not null && held.Quantity == quantity ? held : new Position(e.Symbol, quantity, e.MarkPrice);
        var payment = FundingPayment.Of(position, instrument, e.MarkPrice, e.Rate);
        Credit(payment.Asset, payment.CashFlow);
    }

    /// <summary>
    /// The account as it would be were every holding in an instrument that has expired in <paramref name="market"/>
    /// settled at its underlying's index there (in the quote asset: index / quote asset's price), or null when it holds
    /// nothing expired. What the account is margined as between an expiry and the venue's settlement: the position's price
    /// risk ended at expiry, and what it will be paid is nearest its index. A what-if copy; this state is unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">The market lacks the index of an expired holding's underlying or quote asset.</exception>
    internal AccountState? SettledAtIndex(Risk.Market.MarketSnapshot market)
    {
        // Every assessment asks: nearly always the market keeps nothing expired, and nothing is looked up.
        if (!market.HasExpired)
        {
            return null;
        }

        AccountState? copy = null;
        foreach (var position in _positions)
        {
            if (market.FindExpired(position.Symbol) is { } instrument)
            {
                copy ??= WhatIf();
                copy.Settle(instrument, ExpirySettlement.IndexPrice(instrument, market));
            }
        }

        foreach (var order in _openOrders)
        {
            if (market.FindExpired(order.Symbol) is not null)
            {
                copy ??= WhatIf();
                copy._openOrders = SortedArrays.Remove(copy._openOrders, order.OrderId, OrderIdOf);
            }
        }

        return copy;
    }

    // Settles the position in an expired instrument (its margin returns to the wallet with the payment) and drops the
    // orders resting in it: the instrument no longer trades.
    private void Settle(Instrument instrument, decimal settlementPrice)
    {
        if (PositionOf(instrument.Symbol) is { } position)
        {
            var settlement = ExpirySettlement.Of(position, instrument, settlementPrice);
            Credit(settlement.Asset, settlement.BalanceChange);
            _positions = SortedArrays.Remove(_positions, instrument.Symbol, SymbolOf);
        }

        foreach (var order in _openOrders)
        {
            if (string.Equals(order.Symbol, instrument.Symbol, StringComparison.Ordinal))
            {
                _openOrders = SortedArrays.Remove(_openOrders, order.OrderId, OrderIdOf);
            }
        }
    }

    private void ApplyMarginMode(MarginModeChanged e, Func<string, Instrument?> instruments)
    {
        Mode = e.Mode;
        if (e.Symbol is null)
        {
            return;
        }

        var instrument = InstrumentOf(instruments, e.Symbol);
        var position = PositionOf(e.Symbol)
            ?? throw new InvalidOperationException($"Account {AccountId}: margin mode change for {e.Symbol}, which has no position.");
        var before = position.IsolatedMargin ?? 0m;
        var after = e.IsolatedMargin ?? 0m;
        Credit(instrument.SettlementAsset, before - after);
        _positions = position.Quantity == 0 && e.IsolatedMargin is null
            ? SortedArrays.Remove(_positions, e.Symbol, SymbolOf)
            : SortedArrays.Set(_positions, position with { IsolatedMargin = e.IsolatedMargin }, SymbolOf);
    }

    private Position? PositionOf(string symbol)
    {
        var index = SortedArrays.IndexOf(_positions, symbol, SymbolOf);
        return index >= 0 ? _positions[index] : null;
    }

    private void Credit(string asset, decimal amount)
    {
        var index = SortedArrays.IndexOf(_balances, asset, AssetOf);
        if (index >= 0)
        {
            _balances = SortedArrays.Set(_balances, new CollateralBalance(asset, _balances[index].Amount + amount), AssetOf);
        }
        else if (amount != 0)
        {
            _balances = SortedArrays.Set(_balances, new CollateralBalance(asset, amount), AssetOf);
        }
    }

    private Instrument InstrumentOf(Func<string, Instrument?> instruments, string symbol) =>
        instruments(symbol) ?? throw new InvalidOperationException($"Account {AccountId}: instrument {symbol} is unknown; its events cannot be applied.");
}
