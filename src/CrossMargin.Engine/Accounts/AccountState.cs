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
    // Sorted so that snapshots, portfolios and explanations come out in the same order on every node.
    private readonly SortedDictionary<string, decimal> _balances = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, Position> _positions = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, OpenOrder> _openOrders = new(StringComparer.Ordinal);

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
    public IReadOnlyDictionary<string, decimal> Balances => _balances;

    /// <summary>Positions by symbol.</summary>
    public IReadOnlyDictionary<string, Position> Positions => _positions;

    /// <summary>Resting orders by order id, with their unfilled quantity.</summary>
    public IReadOnlyDictionary<string, OpenOrder> OpenOrders => _openOrders;

    /// <summary>Deduplication and ordering of inbound messages.</summary>
    public MessageLedger Messages { get; }

    /// <summary>The balance in <paramref name="asset"/>, zero when there is none.</summary>
    public decimal BalanceOf(string asset) => _balances.GetValueOrDefault(asset);

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
            case OrderAccepted e:
                _openOrders[e.OrderId] = new OpenOrder(e.OrderId, e.Symbol, e.Side, e.Quantity, e.LimitPrice);
                break;
            case OrderCancelled e:
                _openOrders.Remove(e.OrderId);
                break;
            case AllOrdersCancelled:
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
            case MarginModeChanged e:
                ApplyMarginMode(e, instruments);
                break;
            default:
                throw new InvalidOperationException($"Account {AccountId}: unknown event type {@event.GetType()}.");
        }

        Messages.Record(@event.MessageId, @event.Source, @event.Sequence);
    }

    /// <summary>The account as a Risk <see cref="Portfolio"/> for <see cref="Risk.Margin.MarginCalculator"/>.</summary>
    public Portfolio ToPortfolio() => new(
        AccountId,
        _balances.Select(b => new CollateralBalance(b.Key, b.Value)),
        _positions.Values,
        _openOrders.Values);

    /// <summary>The whole state, serializable.</summary>
    public AccountSnapshot ToSnapshot() => new(
        AccountId,
        Mode,
        _balances.Select(b => new CollateralBalance(b.Key, b.Value)).ToArray(),
        _positions.Values.ToArray(),
        _openOrders.Values.ToArray(),
        Messages.ToSnapshot(),
        IsOpen);

    /// <summary>Rebuilds a state from <paramref name="snapshot"/>.</summary>
    public static AccountState FromSnapshot(AccountSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var state = new AccountState(snapshot.AccountId, MessageLedger.FromSnapshot(snapshot.Messages)) { Mode = snapshot.Mode, IsOpen = snapshot.IsOpen };
        foreach (var balance in snapshot.Balances)
        {
            state._balances[balance.Asset] = balance.Amount;
        }

        foreach (var position in snapshot.Positions)
        {
            state._positions[position.Symbol] = position;
        }

        foreach (var order in snapshot.OpenOrders)
        {
            state._openOrders[order.OrderId] = order;
        }

        return state;
    }

    /// <summary>An independent copy, deduplication included.</summary>
    public AccountState Clone() => FromSnapshot(ToSnapshot());

    /// <summary>
    /// A copy of balances, positions, orders and mode with an empty one-id ledger: what a hypothetical change (pre-trade
    /// check, margin effect of a withdrawal) is computed on, without copying the thousands of remembered ids each time.
    /// </summary>
    internal AccountState WhatIf()
    {
        var copy = new AccountState(AccountId, new MessageLedger(1)) { Mode = Mode };
        foreach (var (asset, amount) in _balances)
        {
            copy._balances[asset] = amount;
        }

        foreach (var (symbol, position) in _positions)
        {
            copy._positions[symbol] = position;
        }

        foreach (var (orderId, order) in _openOrders)
        {
            copy._openOrders[orderId] = order;
        }

        return copy;
    }

    private void ApplyExecution(ExecutionApplied e, Instrument instrument)
    {
        var fill = new Fill(e.Symbol, e.Side, e.Quantity, e.Price, e.Fee);
        var result = TradeAccounting.Apply(_positions.GetValueOrDefault(e.Symbol), instrument, fill);
        if (result.Position is { } position)
        {
            _positions[e.Symbol] = position;
        }
        else
        {
            _positions.Remove(e.Symbol);
        }

        Credit(result.SettlementAsset, result.BalanceChange);

        // A fill reduces the order it belongs to; fills of orders not resting here (IOC, market, liquidation) reduce none.
        if (_openOrders.TryGetValue(e.OrderId, out var order) && string.Equals(order.Symbol, e.Symbol, StringComparison.Ordinal))
        {
            var remaining = order.Quantity - e.Quantity;
            if (remaining > 0)
            {
                _openOrders[e.OrderId] = order with { Quantity = remaining };
            }
            else
            {
                _openOrders.Remove(e.OrderId);
            }
        }
    }

    private void ApplyFunding(FundingSettled e, Instrument instrument)
    {
        if (!_positions.TryGetValue(e.Symbol, out var position) || position.Quantity == 0)
        {
            return;
        }

        // Funding of an isolated position goes to the wallet, as its realized P&L does (TradeAccounting's rule).
        var payment = FundingPayment.Of(position, instrument, e.MarkPrice, e.Rate);
        Credit(payment.Asset, payment.CashFlow);
    }

    private void ApplyMarginMode(MarginModeChanged e, Func<string, Instrument?> instruments)
    {
        Mode = e.Mode;
        if (e.Symbol is null)
        {
            return;
        }

        var instrument = InstrumentOf(instruments, e.Symbol);
        var position = _positions.TryGetValue(e.Symbol, out var p)
            ? p
            : throw new InvalidOperationException($"Account {AccountId}: margin mode change for {e.Symbol}, which has no position.");
        var before = position.IsolatedMargin ?? 0m;
        var after = e.IsolatedMargin ?? 0m;
        Credit(instrument.SettlementAsset, before - after);
        if (position.Quantity == 0 && e.IsolatedMargin is null)
        {
            _positions.Remove(e.Symbol);
        }
        else
        {
            _positions[e.Symbol] = position with { IsolatedMargin = e.IsolatedMargin };
        }
    }

    private void Credit(string asset, decimal amount)
    {
        if (amount != 0 || _balances.ContainsKey(asset))
        {
            _balances[asset] = BalanceOf(asset) + amount;
        }
    }

    private Instrument InstrumentOf(Func<string, Instrument?> instruments, string symbol) =>
        instruments(symbol) ?? throw new InvalidOperationException($"Account {AccountId}: instrument {symbol} is unknown; its events cannot be applied.");
}
