using CrossMargin.Actors;
using CrossMargin.Contracts.Inbound;
using CrossMargin.Engine;
using System.Globalization;
using System.Threading.Channels;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Engine.Prices;
using CrossMargin.Node.Hosting;
using CrossMargin.Simulator;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Simulation;

/// <summary>
/// Drives the node with the market simulator when <see cref="SimulatorOptions.Enabled"/>: opens and funds the
/// simulated accounts with their books, then every tick moves the index (random walk, jumps, the scripted crash),
/// sends the marks, and trades a little. Every message goes through the same contract checks as the HTTP API's.
/// </summary>
public sealed class SimulatorHost : BackgroundService
{
    private readonly EngineHost _engine;
    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SimulatorHost> _log;

    /// <summary>Created by the host's container.</summary>
    public SimulatorHost(EngineHost engine, IOptions<SimulatorOptions> options, TimeProvider time, ILogger<SimulatorHost> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _engine = engine;
        _options = options.Value;
        _time = time;
        _log = log;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            _log.LogInformation("Simulator off (Simulator:Enabled=false)");
            return;
        }

        var engine = await _engine.Started.WaitAsync(stoppingToken);
        var opening = engine.Market.Current;
        var trades = new TradeFactory(opening, _time.GetUtcNow);
        var book = new BookGenerator(_options, opening, trades);
        var messages = book.Open();
        _log.LogInformation("Simulator: opening {Traders} traders and {Makers} market makers ({Messages} messages)",
            book.Traders.Count, book.MarketMakers.Count, messages.Count);
        var refused = 0;
        foreach (var message in messages.OfType<IInboundAccountMessage>())
        {
            refused += await SendAsync(engine, message, stoppingToken) ? 0 : 1;
        }

        var seed = await engine.DepositToInsuranceFundAsync(new DepositToInsuranceFund("sim-fund-seed", "USDT", _options.InsuranceFundSeed), stoppingToken);
        _log.LogInformation("Simulator: venue open ({Refused} opening messages refused); insurance fund seeded: {Seed}; crash {Crash}", refused, seed,
            _options.CrashAfter is { } crash ? $"in {crash.TotalSeconds:0} s" : "off");
        var events = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
        var forwarder = engine.System.ActorOf(Props.Create(() => new EventForwarder(events.Writer, typeof(LiquidationOrderIssued), typeof(AutoDeleveraged))),
            "simulator-venue");
        try
        {
            // Live trading writes under a session of its own, so a restart on the same journal trades on (see TradeFactory).
            var live = new TradeFactory(opening, _time.GetUtcNow, _time.GetUtcNow().ToString("yyyyMMddTHHmmssfff", CultureInfo.InvariantCulture));
            await RunMarketAsync(engine, opening, book, live, events.Reader, stoppingToken);
        }
        finally
        {
            engine.System.Stop(forwarder);
        }
    }

    private async Task RunMarketAsync(RiskEngine engine, Risk.Market.MarketSnapshot opening, BookGenerator book, TradeFactory trades,
        ChannelReader<object> events, CancellationToken stoppingToken)
    {
        var index = opening.Instruments.Select(i => i.Underlying).Distinct(StringComparer.Ordinal)
            .ToDictionary(u => u, opening.PriceOf, StringComparer.Ordinal);
        var path = new PricePath(_options, index);
        var marks = new MarkModel(opening);
        using var timer = new PeriodicTimer(_options.TickInterval, _time);
        var ticks = 0L;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var wasCrashing = path.InCrash;
            var moved = path.Step(_options.TickInterval);
            var now = _time.GetUtcNow();
            var tick = marks.MarksAt(moved, now);
            foreach (var (asset, price) in moved)
            {
                engine.Prices.Tell(new UpdateIndex(asset, price, now), ActorRefs.Nobody);
            }

            engine.Prices.Tell(new UpdatePrices([], tick.Select(m => new UpdateMark(m.Symbol, m.Price, m.Volatility, now)).ToArray()), ActorRefs.Nobody);
            var byMark = tick.ToDictionary(m => m.Symbol, m => m.Price, StringComparer.Ordinal);
            for (var i = 0; i < _options.TradesPerTick; i++)
            {
                foreach (var message in book.RandomTrade(byMark, trades).OfType<IInboundAccountMessage>())
                {
                    await SendAsync(engine, message, stoppingToken);
                }
            }

            while (events.TryRead(out var @event))
            {
                switch (@event)
                {
                    case LiquidationOrderIssued order:
                        await FillAsync(engine, book, trades, order, byMark, stoppingToken);
                        break;
                    case AutoDeleveraged adl:
                        _log.LogWarning("Simulator: auto-deleverage in {LiquidationId}: {Account} {Side} {Quantity} {Symbol} at {Price}",
                            adl.LiquidationId, adl.AccountId, adl.Side, adl.Quantity, adl.Symbol, adl.Price);
                        break;
                }
            }

            if (path.InCrash && !wasCrashing)
            {
                _log.LogWarning("Simulator: the scripted crash starts ({Moves})", string.Join(", ", _options.CrashMoves.Select(m => $"{m.Key} {m.Value:P0}")));
            }

            if (++ticks % Math.Max(1, (int)(TimeSpan.FromSeconds(5) / _options.TickInterval)) == 0)
            {
                _log.LogInformation("Simulator: {Prices}", string.Join(", ", moved.Select(p => $"{p.Key} {p.Value:0.00}")));
            }
        }
    }

    /// <summary>
    /// The matching engine's stand-in: a reduce-only IOC fills in full against a market maker at the mark moved by the
    /// configured slippage against the liquidated account, if that price is within the order's limit; else nothing
    /// fills. The fill reaches the accounts first, then the report reaches the coordinator, as a venue must do it.
    /// </summary>
    private async Task FillAsync(RiskEngine engine, BookGenerator book, TradeFactory trades, LiquidationOrderIssued order,
        Dictionary<string, decimal> marks, CancellationToken cancellation)
    {
        var buys = order.Side == OrderSide.Buy;
        var filled = 0m;
        var price = 0m;
        if (marks.TryGetValue(order.Symbol, out var mark))
        {
            var tick = engine.Market.Current.GetInstrument(order.Symbol).TickSize;
            var slipped = mark * (1 + ((buys ? 1 : -1) * (decimal)_options.LiquidationSlippage));
            price = Math.Round(slipped / tick, MidpointRounding.AwayFromZero) * tick;
            if (buys ? price <= order.LimitPrice : price >= order.LimitPrice)
            {
                var (taker, maker) = trades.Trade(order.AccountId, book.Maker(), order.Symbol, buys, order.Quantity, price, takerIsLiquidation: true);
                filled = await SendAsync(engine, taker, cancellation) & await SendAsync(engine, maker, cancellation) ? order.Quantity : 0m;
            }
        }

        engine.Coordinator.Tell(new LiquidationOrderReport(order.OrderId, filled, filled > 0 ? price : 0m), ActorRefs.Nobody);
        _log.LogInformation("Simulator: liquidation order {OrderId} for {Account}: {Side} {Quantity} {Symbol} limit {Limit} -> filled {Filled} at {Price}",
            order.OrderId, order.AccountId, order.Side, order.Quantity, order.Symbol, order.LimitPrice, filled, price);
    }

    private async Task<bool> SendAsync(RiskEngine engine, IInboundAccountMessage message, CancellationToken cancellation)
    {
        var result = message.ToAccountCommand();
        if (!result.IsValid)
        {
            _log.LogWarning("Simulator: message {MessageId} breaks the contract: {Violations}", message.MessageId, result.Describe());
            return false;
        }

        var reply = await engine.SendAsync(result.AccountId!, result.Command!, cancellation);
        if (reply is CommandRejected rejected)
        {
            _log.LogDebug("Simulator: {MessageId} refused: {Reason}", rejected.MessageId, rejected.Rejection.Message);
            return false;
        }

        return true;
    }
}
