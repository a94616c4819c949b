using System.Globalization;
using CrossMargin.Contracts.Inbound;
using CrossMargin.Engine;
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
/// sends the marks, and trades a little. Every message goes through the same contract checks as the HTTP API's. On a
/// cluster node it talks to the cluster through the broker as a venue would (<see cref="ClusterVenueLink"/>), so one
/// node with the simulator on drives accounts on every node. It settles each dated contract after its expiry, as the
/// venue must (<see cref="SettleExpiredAsync"/>).
/// </summary>
public sealed class SimulatorHost : BackgroundService
{
    private static readonly TimeSpan SettlementDelay = TimeSpan.FromSeconds(1);

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
        await using VenueLink venue = _engine.Cluster is { } cluster
            ? await ClusterVenueLink.StartAsync(cluster, _engine.AskTimeout, stoppingToken)
            : new EmbeddedVenueLink(engine);
        var opening = engine.Market.Current;
        var trades = new TradeFactory(opening, _time.GetUtcNow);
        var book = new BookGenerator(_options, opening, trades);
        var messages = book.Open();
        _log.LogInformation("Simulator: opening {Traders} traders and {Makers} market makers ({Messages} messages){Via}",
            book.Traders.Count, book.MarketMakers.Count, messages.Count, _engine.Cluster is null ? "" : " through the broker");
        var refused = 0;
        var holders = new ExpiryHolders();
        foreach (var message in messages.OfType<IInboundAccountMessage>())
        {
            refused += await SendAsync(venue, message, stoppingToken, holders) ? 0 : 1;
        }

        var seed = "not seeded";
        await AttemptAsync(async () => seed = await SeedFundAsync(engine, stoppingToken), "the insurance fund's seed", stoppingToken);
        _log.LogInformation("Simulator: venue open ({Refused} opening messages refused); insurance fund seeded: {Seed}; crash {Crash}", refused, seed,
            _options.CrashAfter is { } crash ? $"in {crash.TotalSeconds:0} s" : "off");

        // Live trading writes under a session of its own, so a restart on the same journal trades on (see TradeFactory).
        var live = new TradeFactory(opening, _time.GetUtcNow, _time.GetUtcNow().ToString("yyyyMMddTHHmmssfff", CultureInfo.InvariantCulture));
        await RunMarketAsync(engine, venue, opening, book, live, holders, stoppingToken);
    }

    // The fund lives with the liquidation singleton: on a cluster node the deposit goes to whichever node holds it, which
    // a starting cluster may not have settled yet (the deposit's id makes a repeat harmless).
    private async Task<string> SeedFundAsync(RiskEngine engine, CancellationToken stoppingToken)
    {
        var deposit = new DepositToInsuranceFund("sim-fund-seed", "USDT", _options.InsuranceFundSeed);
        if (_engine.Cluster is not { } cluster)
        {
            return (await engine.DepositToInsuranceFundAsync(deposit, stoppingToken)).ToString() ?? "";
        }

        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(deposit, Clustering.ClusterWireJsonContext.Default.DepositToInsuranceFund);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var reply = await cluster.RequestLiquidationAsync(Clustering.ClusterMessageTypes.FundDeposit, body, _engine.AskTimeout, stoppingToken);
                return reply.Body.ToString();
            }
            catch (TimeoutException) when (attempt < 6)
            {
                _log.LogInformation("Simulator: no node answers for the insurance fund yet (attempt {Attempt}); asking again", attempt);
            }
            catch (TimeoutException)
            {
                return "not seeded: no node holds the liquidation singleton";
            }
        }
    }

    private async Task RunMarketAsync(RiskEngine engine, VenueLink venue, Risk.Market.MarketSnapshot opening, BookGenerator book, TradeFactory trades,
        ExpiryHolders holders, CancellationToken stoppingToken)
    {
        // Those that expired while no venue ran too (a restart): their holders wait for a settlement as much as any.
        var unsettled = opening.Instruments.Where(i => i.Expiry is not null).Concat(opening.ExpiredInstruments)
            .OrderBy(i => i.Expiry).ThenBy(i => i.Symbol, StringComparer.Ordinal).ToList();
        var index = opening.Instruments.Select(i => i.Underlying).Distinct(StringComparer.Ordinal)
            .ToDictionary(u => u, opening.PriceOf, StringComparer.Ordinal);
        var path = new PricePath(_options, index);
        var marks = new MarkModel(opening);
        using var timer = new PeriodicTimer(_options.TickInterval, _time);
        var ticks = 0L;
        var refusedOrders = 0L;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var wasCrashing = path.InCrash;
            var moved = path.Step(_options.TickInterval);
            var now = _time.GetUtcNow();
            // What the venue's listing schedules listed since it opened is marked, and settled at its expiry, as the rest.
            foreach (var listed in marks.Adopt(engine.Market.Current).Where(i => i.Expiry is not null))
            {
                unsettled.Add(listed);
                unsettled.Sort((a, b) => a.Expiry != b.Expiry ? Nullable.Compare(a.Expiry, b.Expiry) : string.CompareOrdinal(a.Symbol, b.Symbol));
                _log.LogInformation("Simulator: {Symbol} is listed; marked from now on", listed.Symbol);
            }

            var tick = marks.MarksAt(moved, now);
            await AttemptAsync(() => venue.SendPricesAsync(moved.Select(p => new UpdateIndex(p.Key, p.Value, now)).ToArray(),
                tick.Select(m => new UpdateMark(m.Symbol, m.Price, m.Volatility, now)).ToArray(), stoppingToken), "the tick's prices", stoppingToken);
            var byMark = tick.ToDictionary(m => m.Symbol, m => m.Price, StringComparer.Ordinal);
            for (var i = 0; i < _options.TradesPerTick; i++)
            {
                // The venue asks the pre-trade check before the book matches the trader's order, as a real one must: a
                // trader the crash wiped out cannot open a new position on nothing. (The makers' resting orders were
                // checked when they were placed.)
                if (book.RandomOrder(byMark) is not { } order)
                {
                    continue;
                }

                var check = trades.PreTrade(order);
                string? refusal = "unanswered";
                if (!await AttemptAsync(async () => refusal = await venue.CheckAsync(check, stoppingToken), $"the pre-trade check {check.MessageId}", stoppingToken)
                    || refusal is not null)
                {
                    refusedOrders++;
                    continue;
                }

                var (taker, maker) = trades.Trade(order);
                await SendAsync(venue, taker, stoppingToken, holders);
                await SendAsync(venue, maker, stoppingToken, holders);
            }

            await SettleExpiredAsync(engine, venue, unsettled, moved, now, trades, holders, stoppingToken);

            while (venue.Events.TryRead(out var @event))
            {
                switch (@event)
                {
                    case LiquidationOrderIssued order:
                        await FillAsync(engine, venue, book, trades, order, byMark, holders, stoppingToken);
                        break;
                    case AutoDeleveraged adl:
                        holders.Filled(adl.AccountId, adl.Symbol);
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
                _log.LogInformation("Simulator: {Prices}; {Refused} orders refused by the pre-trade check so far", string.Join(", ", moved.Select(p => $"{p.Key} {p.Value:0.00}")),
                    refusedOrders);
            }
        }
    }

    /// <summary>
    /// The matching engine's stand-in: a reduce-only IOC fills in full against a market maker at the mark moved by the
    /// configured slippage against the liquidated account, if that price is within the order's limit; else nothing
    /// fills. The fill reaches the accounts first, then the report reaches the coordinator, as a venue must do it.
    /// </summary>
    private async Task FillAsync(RiskEngine engine, VenueLink venue, BookGenerator book, TradeFactory trades, LiquidationOrderIssued order,
        Dictionary<string, decimal> marks, ExpiryHolders holders, CancellationToken cancellation)
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
                var (taker, maker) = trades.Trade(order.AccountId, book.Maker(), order.Symbol, buys, order.Quantity, price, takerIsLiquidation: true,
                    takerOrderId: order.OrderId);
                filled = await SendAsync(venue, taker, cancellation, holders) & await SendAsync(venue, maker, cancellation, holders) ? order.Quantity : 0m;
            }
        }

        await AttemptAsync(() => venue.ReportAsync(new LiquidationOrderReport(order.OrderId, filled, filled > 0 ? price : 0m), cancellation),
            $"the report of {order.OrderId}", cancellation);
        _log.LogInformation("Simulator: liquidation order {OrderId} for {Account}: {Side} {Quantity} {Symbol} limit {Limit} -> filled {Filled} at {Price}",
            order.OrderId, order.AccountId, order.Side, order.Quantity, order.Symbol, order.LimitPrice, filled, price);
    }

    /// <summary>
    /// The venue's settlement of every contract that has expired, once the engine has taken it off its listing (a second
    /// after its expiry at the least, so that no node of a cluster still lists it): one <c>expiry</c> message per account
    /// the venue filled in it (and the insurance fund's account, which may have taken a holding over), at the
    /// underlying's index rounded to the contract's tick. An account gone flat since is refused (no position), no error.
    /// </summary>
    private async Task SettleExpiredAsync(RiskEngine engine, VenueLink venue, List<Risk.Instruments.Instrument> unsettled,
        IReadOnlyDictionary<string, decimal> index, DateTimeOffset now, TradeFactory trades, ExpiryHolders holders, CancellationToken cancellation)
    {
        while (unsettled.Count > 0 && unsettled[0] is { Expiry: { } expiry } contract && now - expiry >= SettlementDelay
            && engine.Market.Current.FindInstrument(contract.Symbol) is null && index.TryGetValue(contract.Underlying, out var spot))
        {
            unsettled.RemoveAt(0);
            var price = Math.Round(spot / contract.TickSize, MidpointRounding.AwayFromZero) * contract.TickSize;
            var accounts = new SortedSet<string>(holders.Of(contract.Symbol), StringComparer.Ordinal);
            if (engine.FundAccountId is { } fund)
            {
                accounts.Add(fund);
            }

            // The holders the engine knows of, as GET /api/v1/expiries/unsettled lists them: those a previous run of the
            // venue filled are known to this run only through the journal.
            foreach (var held in (await KnownHoldersAsync(engine, cancellation)).Where(h => h.Symbol == contract.Symbol))
            {
                accounts.UnionWith(held.Holders.Select(h => h.AccountId));
            }

            var settled = 0;
            foreach (var account in accounts)
            {
                settled += await SendAsync(venue, trades.Expiry(account, contract.Symbol, price), cancellation) ? 1 : 0;
            }

            _log.LogInformation("Simulator: {Symbol} expired at {Expiry:u}; settled at {Price}: {Settled} accounts, {Flat} with nothing left in it",
                contract.Symbol, expiry, price, settled, accounts.Count - settled);
        }
    }

    /// <summary>The expired contracts this node's accounts still hold, with their holders; none when the accounts cannot be read now.</summary>
    private async Task<IReadOnlyList<Accounts.UnsettledExpiry>> KnownHoldersAsync(RiskEngine engine, CancellationToken cancellation)
    {
        IReadOnlyList<Accounts.UnsettledExpiry> known = [];
        await AttemptAsync(async () => known = Accounts.UnsettledExpiries.Of(await new Accounts.LiveAccounts(_engine).GetAsync(cancellation), engine.Market.Current).Instruments,
            "the engine's list of unsettled expiries", cancellation);
        return known;
    }

    private async Task<bool> SendAsync(VenueLink venue, IInboundAccountMessage message, CancellationToken cancellation, ExpiryHolders? holders = null)
    {
        var result = message.ToAccountCommand();
        if (!result.IsValid)
        {
            _log.LogWarning("Simulator: message {MessageId} breaks the contract: {Violations}", message.MessageId, result.Describe());
            return false;
        }

        string? refusal = null;
        if (!await AttemptAsync(async () => refusal = await venue.SendAsync(message, cancellation), $"message {message.MessageId}", cancellation))
        {
            return false;
        }

        if (refusal is not null)
        {
            _log.LogDebug("Simulator: {MessageId} refused: {Reason}", message.MessageId, refusal);
            return false;
        }

        if (message is ExecutionMessage { AccountId: { } account, Symbol: { } symbol })
        {
            holders?.Filled(account, symbol);
        }

        return true;
    }

    // The simulator stands in for a venue: a message it could not deliver (an account or the broker not answering in
    // time, a broker outage) is logged and the market goes on, as a venue's would; it must never stop the node, which
    // an exception escaping a hosted service does.
    private async Task<bool> AttemptAsync(Func<Task> action, string what, CancellationToken cancellation)
    {
        try
        {
            await action();
            return true;
        }
#pragma warning disable CA1031 // Any failure to reach the engine is the simulated venue's problem, not the node's.
        catch (Exception e) when (!(e is OperationCanceledException && cancellation.IsCancellationRequested))
#pragma warning restore CA1031
        {
            _log.LogWarning("Simulator: {What} not delivered: {Problem}", what, e.Message);
            return false;
        }
    }
}
