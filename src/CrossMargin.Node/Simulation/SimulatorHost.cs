using CrossMargin.Actors;
using CrossMargin.Contracts.Inbound;
using CrossMargin.Engine;
using CrossMargin.Engine.Accounts;
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

        _log.LogInformation("Simulator: venue open ({Refused} opening messages refused); crash {Crash}", refused,
            _options.CrashAfter is { } crash ? $"in {crash.TotalSeconds:0} s" : "off");
        await RunMarketAsync(engine, opening, book, stoppingToken);
    }

    private async Task RunMarketAsync(RiskEngine engine, Risk.Market.MarketSnapshot opening, BookGenerator book, CancellationToken stoppingToken)
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
                foreach (var message in book.RandomTrade(byMark).OfType<IInboundAccountMessage>())
                {
                    await SendAsync(engine, message, stoppingToken);
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
