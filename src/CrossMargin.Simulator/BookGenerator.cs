using System.Globalization;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;

namespace CrossMargin.Simulator;

/// <summary>
/// Opens the simulated venue: market makers with deep collateral, then traders of every <see cref="TraderProfile"/>
/// with a deposit and an opening book traded against a market maker, so the venue's open interest nets to zero as a
/// real one does. Seeded: the same options give the same accounts, deposits and trades. The dated contracts of the books
/// are the ones the opening market lists (<see cref="VenueListing"/>); a profile whose contract is not listed (the
/// listing has rolled past it) gives its trader a leveraged long instead.
/// </summary>
public sealed class BookGenerator
{
    private const decimal MarketMakerCollateral = 20_000_000m;
    private static readonly TraderProfile[] TraderProfiles =
        [TraderProfile.LeveragedLong, TraderProfile.LeveragedLong, TraderProfile.LeveragedShort, TraderProfile.CalendarSpread,
            TraderProfile.OptionWriter, TraderProfile.OptionBuyer];

    private readonly SimulatorOptions _options;
    private readonly MarketSnapshot _opening;
    private readonly TradeFactory _trades;
    private readonly Random _random;
    private readonly Future? _future;
    private readonly OptionContract? _put;
    private readonly OptionContract? _call;

    /// <summary>Generates for <paramref name="opening"/>, writing messages through <paramref name="trades"/>.</summary>
    public BookGenerator(SimulatorOptions options, MarketSnapshot opening, TradeFactory trades)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(opening);
        ArgumentNullException.ThrowIfNull(trades);
        _options = options;
        _opening = opening;
        _trades = trades;
        _random = new Random(options.Seed ^ 0x5EED);
        var listing = new VenueListing(opening);
        _future = listing.DatedFuture("BTC");
        _put = listing.Option("BTC", OptionKind.Put, 0.92m);
        _call = listing.Option("BTC", OptionKind.Call, 1.08m);
    }

    /// <summary>The market makers, <c>mm-1</c> upwards.</summary>
    public IReadOnlyList<SimulatedAccount> MarketMakers { get; private set; } = [];

    /// <summary>The traders, <c>trader-0001</c> upwards.</summary>
    public IReadOnlyList<SimulatedAccount> Traders { get; private set; } = [];

    /// <summary>Every opening message in the order to send it: each account is opened and funded before it trades.</summary>
    public IReadOnlyList<object> Open()
    {
        var messages = new List<object>();
        MarketMakers = Enumerable.Range(1, _options.MarketMakers)
            .Select(i => new SimulatedAccount("mm-" + i.ToString(CultureInfo.InvariantCulture), TraderProfile.MarketMaker, 1m)).ToArray();
        foreach (var maker in MarketMakers)
        {
            messages.Add(_trades.Open(maker.AccountId));
            messages.Add(_trades.Deposit(maker.AccountId, "USDT", MarketMakerCollateral));
        }

        var traders = new List<SimulatedAccount>();
        for (var i = 1; i <= _options.Traders; i++)
        {
            var profile = TraderProfiles[_random.Next(TraderProfiles.Length)];
            if (!IsListed(profile))
            {
                profile = TraderProfile.LeveragedLong;
            }

            var leverage = profile switch
            {
                TraderProfile.LeveragedLong => _random.Next(3, 21),
                TraderProfile.LeveragedShort => _random.Next(3, 13),
                _ => 2,
            };
            var trader = new SimulatedAccount("trader-" + i.ToString("D4", CultureInfo.InvariantCulture), profile, leverage);
            traders.Add(trader);
            var collateral = 1_000m * _random.Next(2, 21);
            messages.Add(_trades.Open(trader.AccountId));
            messages.Add(_trades.Deposit(trader.AccountId, "USDT", collateral));
            messages.AddRange(OpeningTrades(trader, collateral));
        }

        Traders = traders;
        return messages;
    }

    /// <summary>A small random order of a random trader against a market maker, at the current marks; null when its instrument has no mark.</summary>
    public SimulatedOrder? RandomOrder(IReadOnlyDictionary<string, decimal> marks)
    {
        ArgumentNullException.ThrowIfNull(marks);
        var trader = Traders[_random.Next(Traders.Count)];
        var symbol = trader.Profile == TraderProfile.LeveragedShort ? "ETH-PERP" : "BTC-PERP";
        if (!marks.TryGetValue(symbol, out var price))
        {
            return null;
        }

        return new SimulatedOrder(trader.AccountId, Maker(), symbol, _random.Next(2) == 0, _random.Next(1, 6), price);
    }

    /// <summary>A market maker picked at random (the counterparty of a trade).</summary>
    public string Maker() => MarketMakers[_random.Next(MarketMakers.Count)].AccountId;

    private bool IsListed(TraderProfile profile) => profile switch
    {
        TraderProfile.CalendarSpread => _future is not null,
        TraderProfile.OptionWriter => _put is not null,
        TraderProfile.OptionBuyer => _call is not null,
        _ => true,
    };

    private IEnumerable<object> OpeningTrades(SimulatedAccount trader, decimal collateral)
    {
        decimal Contracts(string symbol, decimal usd) =>
            Math.Max(1, Math.Floor(usd / (_opening.GetInstrument(symbol).ContractSize * _opening.MarkOf(symbol).MarkPrice)));

        IEnumerable<object> Trade(string symbol, bool buys, decimal quantity)
        {
            var (taker, maker) = _trades.Trade(trader.AccountId, Maker(), symbol, buys, quantity, _opening.MarkOf(symbol).MarkPrice);
            return [taker, maker];
        }

        var notional = collateral * trader.Leverage;
        return trader.Profile switch
        {
            TraderProfile.LeveragedLong => Trade("BTC-PERP", true, Contracts("BTC-PERP", notional)),
            TraderProfile.LeveragedShort => Trade("ETH-PERP", false, Contracts("ETH-PERP", notional)),
            TraderProfile.CalendarSpread =>
                [.. Trade(_future!.Symbol, true, Contracts(_future.Symbol, notional * 2)), .. Trade("BTC-PERP", false, Contracts("BTC-PERP", notional * 2))],
            // About 0.3 delta per put: short puts on one BTC per 20,000 USDT of collateral, hedged with a third of that short.
            TraderProfile.OptionWriter =>
                [.. Trade(_put!.Symbol, false, Math.Max(1, Math.Floor(collateral / 20_000m / _put.ContractSize))),
                    .. Trade("BTC-PERP", false, Math.Max(1, Math.Floor(collateral / 20_000m * 300)))],
            TraderProfile.OptionBuyer => Trade(_call!.Symbol, true, Math.Max(1, Math.Floor(collateral * 0.3m / (_opening.MarkOf(_call.Symbol).MarkPrice * _call.ContractSize)))),
            _ => [],
        };
    }
}
