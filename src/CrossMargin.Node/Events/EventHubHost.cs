using System.Threading.Channels;
using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Simulation;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;

namespace CrossMargin.Node.Events;

/// <summary>
/// Feeds the <see cref="EventHub"/> from the engine's event stream: account status changes and liquidation orders and
/// auto-deleveraging as they happen, the market at most every <see cref="PriceInterval"/> (marks move several times a
/// second; a dashboard needs the newest, not each).
/// </summary>
public sealed class EventHubHost(EngineHost host, EventHub hub, TimeProvider time, ILogger<EventHubHost> log) : BackgroundService
{
    /// <summary>The shortest gap between two <c>prices</c> events.</summary>
    public static readonly TimeSpan PriceInterval = TimeSpan.FromMilliseconds(500);

    private readonly Dictionary<string, DateTimeOffset> _moved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pendingMoved = new(StringComparer.Ordinal);
    private MarketChanged? _pendingMarket;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var engine = await host.Started.WaitAsync(stoppingToken);
        var events = Channel.CreateBounded<object>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var forwarder = engine.System.ActorOf(Props.Create(() => new EventForwarder(e => events.Writer.TryWrite(e),
            typeof(AccountStatusChanged), typeof(LiquidationOrderIssued), typeof(AutoDeleveraged), typeof(MarketChanged))), "event-hub");
        try
        {
            PublishPrices(engine.Market.Current, engine.Market.Version, null);
            var prices = PublishPricesAsync(stoppingToken);
            var cluster = host.Cluster is { } runtime ? PublishClusterEventsAsync(runtime, stoppingToken) : Task.CompletedTask;
            await foreach (var @event in events.Reader.ReadAllAsync(stoppingToken))
            {
                var now = time.GetUtcNow();
                switch (@event)
                {
                    case MarketChanged market:
                        lock (_pendingMoved)
                        {
                            // Snapshots in between are skipped, but what they moved still counts as moved.
                            _pendingMoved.UnionWith(market.Underlyings);
                            _pendingMarket = market;
                        }

                        break;
                    case AccountStatusChanged status:
                        hub.Publish(new NodeEvent("account", now, status));
                        break;
                    case LiquidationOrderIssued order:
                        hub.Publish(new NodeEvent("liquidation", now, new { kind = "orderIssued", order.LiquidationId, order.AccountId, order.OrderId,
                            order.Symbol, order.Side, order.Quantity, order.LimitPrice }));
                        break;
                    case AutoDeleveraged adl:
                        hub.Publish(new NodeEvent("liquidation", now, new { kind = "autoDeleveraged", adl.LiquidationId, adl.AccountId, adl.Symbol, adl.Side,
                            adl.Quantity, adl.Price }));
                        break;
                }
            }

            await prices;
            await cluster;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            engine.System.Stop(forwarder);
        }
    }

    // Membership changes and hand-offs are rows in PostgreSQL written by whichever node made them; every node follows
    // the table, so `cm cluster tail` on any node sees the whole cluster. History before this node started is skipped.
    private async Task PublishClusterEventsAsync(ClusterRuntime cluster, CancellationToken stoppingToken)
    {
        long last = 0;
        var skipping = true;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        do
        {
            try
            {
                IReadOnlyList<Cluster.Membership.ClusterEvent> batch;
                do
                {
                    batch = await cluster.Membership.ReadEventsAsync(last, 500, stoppingToken);
                    foreach (var e in batch)
                    {
                        last = e.Id;
                        if (!skipping)
                        {
                            hub.Publish(new NodeEvent("handoff", e.At, new { e.NodeId, e.Kind, e.Detail }));
                        }
                    }
                }
                while (batch.Count == 500);

                skipping = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Reading the cluster's events failed; retrying");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task PublishPricesAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PriceInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                MarketChanged? market;
                HashSet<string> moved;
                lock (_pendingMoved)
                {
                    market = _pendingMarket;
                    _pendingMarket = null;
                    moved = [.. _pendingMoved];
                    _pendingMoved.Clear();
                }

                if (market is not null)
                {
                    PublishPrices(market.Market, market.Version, moved);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            log.LogError(e, "Price events stopped");
        }
    }

    private void PublishPrices(MarketSnapshot market, long version, HashSet<string>? moved)
    {
        var now = time.GetUtcNow();
        var tiles = new List<PriceTile>();
        foreach (var asset in host.Assets.Where(market.HasPrice))
        {
            if (moved is null || moved.Contains(asset) || !_moved.TryGetValue(asset, out var updated))
            {
                _moved[asset] = updated = now;
            }

            var marks = market.Instruments.Where(i => i.Underlying == asset && i is not OptionContract)
                .ToDictionary(i => i.Symbol, i => market.MarkOf(i.Symbol).MarkPrice, StringComparer.Ordinal);
            tiles.Add(new PriceTile(asset, market.PriceOf(asset), updated, marks));
        }

        hub.Publish(new NodeEvent("prices", now, new PriceBoard(version, market.ValuationTime, tiles)));
    }
}
