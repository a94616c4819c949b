using System.Globalization;
using CrossMargin.Contracts.Inbound;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;

namespace CrossMargin.Simulator;

/// <summary>
/// Turns a trade between two accounts into the two executions the matching engine would send (taker and maker
/// sides, fees in the settlement asset), and wallet movements into deposits; every message gets a unique id and
/// its source's next sequence for the account.
/// </summary>
public sealed class TradeFactory
{
    /// <summary>The source name of the simulated matching engine.</summary>
    public const string MatchingSource = "sim-matching";

    /// <summary>The source name of the simulated account service.</summary>
    public const string AccountSource = "sim-accounts";

    /// <summary>The source name of the simulated wallet.</summary>
    public const string WalletSource = "sim-wallet";

    /// <summary>The source name of the venue's expiry settlements.</summary>
    public const string SettlementSource = "sim-settlement";

    private const decimal TakerFeeRate = 0.0005m;
    private const decimal MakerFeeRate = 0.0002m;
    private readonly MarketSnapshot _instruments;
    private readonly SequenceCounter _sequences = new();
    private readonly Func<DateTimeOffset> _clock;
    private readonly string _matchingSource;
    private readonly string _settlementSource;
    private readonly string _prefix;
    private long _trades;
    private long _transfers;
    private long _checks;

    /// <summary>Builds messages for the instruments of <paramref name="instruments"/>, stamped by <paramref name="clock"/>.</summary>
    /// <param name="instruments">The venue's instruments.</param>
    /// <param name="clock">Execution timestamps.</param>
    /// <param name="session">
    /// Null for the opening book, whose fixed ids make a restart on the same journal replay it as duplicates. A name
    /// unique to this run for live trading: its trades then come from a source of their own (sequences from 1) with ids
    /// no earlier run used, so they are neither duplicates nor out of order against what a previous run applied.
    /// </param>
    public TradeFactory(MarketSnapshot instruments, Func<DateTimeOffset> clock, string? session = null)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(clock);
        _instruments = instruments;
        _clock = clock;
        _matchingSource = session is null ? MatchingSource : $"{MatchingSource}-{session}";
        _settlementSource = session is null ? SettlementSource : $"{SettlementSource}-{session}";
        _prefix = session is null ? "sim-" : $"sim-{session}-";
    }

    /// <summary>Opens <paramref name="account"/>.</summary>
    public OpenAccountMessage Open(string account) =>
        new() { MessageId = "sim-open-" + account, Source = AccountSource, Sequence = _sequences.Next(AccountSource, account), AccountId = account };

    /// <summary>A deposit of <paramref name="amount"/> <paramref name="asset"/> into <paramref name="account"/>.</summary>
    public DepositMessage Deposit(string account, string asset, decimal amount)
    {
        var id = "sim-dep-" + (++_transfers).ToString(CultureInfo.InvariantCulture);
        return new DepositMessage { MessageId = id, Source = WalletSource, Sequence = _sequences.Next(WalletSource, account), AccountId = account, Asset = asset, Amount = amount };
    }

    /// <summary>
    /// <paramref name="taker"/> buys (or sells, when <paramref name="takerBuys"/> is false) <paramref name="quantity"/> of
    /// <paramref name="symbol"/> from <paramref name="maker"/> at <paramref name="price"/>. Returns the taker's execution first.
    /// <paramref name="takerOrderId"/> is the id of the taker's order where it has one of its own (a liquidation order's
    /// fill must name that order, as a venue's does: the fund's account takes only fills of the coordinator's orders).
    /// </summary>
    public (ExecutionMessage Taker, ExecutionMessage Maker) Trade(string taker, string maker, string symbol, bool takerBuys, decimal quantity, decimal price,
        bool takerIsLiquidation = false, string? takerOrderId = null)
    {
        var trade = _prefix + (++_trades).ToString(CultureInfo.InvariantCulture);
        var now = _clock();
        ExecutionMessage Side(string account, bool buys, string role, decimal feeRate, bool liquidation, string? orderId = null) => new()
        {
            MessageId = $"{trade}-{role}",
            Source = _matchingSource,
            Sequence = _sequences.Next(_matchingSource, account),
            AccountId = account,
            ExecutionId = $"{trade}-{role}",
            OrderId = orderId ?? $"{trade}-{role}-order",
            Symbol = symbol,
            Side = buys ? "buy" : "sell",
            Quantity = quantity,
            Price = price,
            Fee = Fee(symbol, quantity, price, feeRate),
            Liquidity = role == "t" ? "taker" : "maker",
            Timestamp = now,
            IsLiquidation = liquidation,
        };
        return (Side(taker, takerBuys, "t", TakerFeeRate, takerIsLiquidation, takerOrderId), Side(maker, !takerBuys, "m", MakerFeeRate, false));
    }

    /// <summary>The executions of <paramref name="order"/> once the book has matched it (taker first).</summary>
    public (ExecutionMessage Taker, ExecutionMessage Maker) Trade(SimulatedOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return Trade(order.Taker, order.Maker, order.Symbol, order.TakerBuys, order.Quantity, order.Price);
    }

    /// <summary>
    /// The venue's cash settlement of <paramref name="account"/>'s holding in <paramref name="symbol"/> after its expiry,
    /// at <paramref name="settlementPrice"/> (the underlying's, per unit). One id per account and contract, so a restarted
    /// simulator that settles again is answered as a duplicate.
    /// </summary>
    public ExpiryMessage Expiry(string account, string symbol, decimal settlementPrice) => new()
    {
        MessageId = $"sim-exp-{symbol}-{account}",
        Source = _settlementSource,
        Sequence = _sequences.Next(_settlementSource, account),
        AccountId = account,
        Symbol = symbol,
        SettlementPrice = settlementPrice,
    };

    /// <summary>
    /// The pre-trade check of <paramref name="order"/>'s taker side, with the fee its execution would carry. It takes no
    /// sequence: a check writes nothing, and an order it refuses never becomes an execution.
    /// </summary>
    public PreTradeMessage PreTrade(SimulatedOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new PreTradeMessage
        {
            MessageId = _prefix + "check-" + (++_checks).ToString(CultureInfo.InvariantCulture),
            AccountId = order.Taker,
            Symbol = order.Symbol,
            Side = order.TakerBuys ? "buy" : "sell",
            Quantity = order.Quantity,
            Price = order.Price,
            Fee = Fee(order.Symbol, order.Quantity, order.Price, TakerFeeRate),
        };
    }

    private decimal Fee(string symbol, decimal quantity, decimal price, decimal rate)
    {
        var instrument = _instruments.GetInstrument(symbol);
        var notional = instrument.Settlement == SettlementKind.Inverse ? quantity * instrument.ContractSize / price : quantity * instrument.ContractSize * price;
        return Math.Round(notional * rate, 8, MidpointRounding.AwayFromZero);
    }
}
