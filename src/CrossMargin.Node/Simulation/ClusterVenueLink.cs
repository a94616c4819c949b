using System.Text.Json;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Contracts;
using CrossMargin.Contracts.Inbound;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Node.Clustering;

namespace CrossMargin.Node.Simulation;

/// <summary>
/// The simulated venue on a cluster node, integrated the way a real venue is: account messages through the accounts
/// exchange to whichever node owns the account (waiting for its answer), prices on the marks exchange (every node
/// applies them), fill reports to the liquidation queue, and liquidation orders and ADL notices heard on the outbound
/// exchanges, wherever the liquidation singleton runs.
/// </summary>
internal sealed class ClusterVenueLink : VenueLink
{
    private const int Attempts = 5;

    private readonly ClusterRuntime _cluster;
    private readonly TimeSpan _timeout;
    private ExchangeSubscriber? _orders;

    private ClusterVenueLink(ClusterRuntime cluster, TimeSpan timeout)
    {
        _cluster = cluster;
        _timeout = timeout;
    }

    /// <summary>Subscribes to the outbound exchanges (a queue of this node's own) and returns the link.</summary>
    public static async Task<ClusterVenueLink> StartAsync(ClusterRuntime cluster, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var link = new ClusterVenueLink(cluster, timeout);
        var names = cluster.Names;
        link._orders = await ExchangeSubscriber.StartAsync(cluster.Broker, $"{names.Prefix}.simulator.{cluster.Options.NodeId}", [names.LiquidationOrders, names.Adl],
            link.HearAsync, cancellationToken).ConfigureAwait(false);
        return link;
    }

    // A shard nobody serves yet (the cluster still starting, a node just died) keeps the message durably in its queue
    // and answers late: asking again with the same id is safe, the account answers a repeat as a duplicate.
    public override async Task<string?> SendAsync(IInboundAccountMessage message, CancellationToken cancellationToken)
    {
        var (type, body) = AccountMessageTypes.Write(message);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var reply = await _cluster.RequestAsync(message.AccountId!, body, message.MessageId!, type, _timeout, cancellationToken).ConfigureAwait(false);
                return reply.Body.TryGetProperty("outcome", out var outcome) && outcome.GetString() == "rejected"
                    ? reply.Body.TryGetProperty("reason", out var reason) ? reason.GetString() ?? "rejected" : "rejected"
                    : null;
            }
            catch (TimeoutException) when (attempt < Attempts)
            {
                // Asked again below.
            }
            catch (TimeoutException e)
            {
                return $"no answer after {Attempts} attempts of {_timeout.TotalSeconds:0.#} s: {e.Message}";
            }
        }
    }

    public override async Task<string?> CheckAsync(PreTradeMessage order, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(order, ContractJsonContext.Default.PreTradeMessage);
        try
        {
            var reply = await _cluster.RequestAsync(order.AccountId!, body, order.MessageId!, AccountMessageTypes.PreTrade, _timeout, cancellationToken)
                .ConfigureAwait(false);
            return reply.Body.TryGetProperty("accepted", out var accepted) && accepted.ValueKind == JsonValueKind.True
                ? null
                : reply.Body.TryGetProperty("rejection", out var rejection) && rejection.ValueKind == JsonValueKind.Object
                    && rejection.TryGetProperty("message", out var message) ? message.GetString() ?? "refused" : "refused";
        }
        catch (TimeoutException e)
        {
            return $"no answer in {_timeout.TotalSeconds:0.#} s: {e.Message}";
        }
    }

    public override Task SendPricesAsync(IReadOnlyList<UpdateIndex> indices, IReadOnlyList<UpdateMark> marks, CancellationToken cancellationToken)
    {
        var message = new PricesMessage
        {
            Indices = indices.Select(i => new IndexPrice { Asset = i.Asset, Price = i.Price, Timestamp = i.Timestamp }).ToArray(),
            Marks = marks.Select(m => new MarkPrice { Symbol = m.Symbol, Price = m.Price, ImpliedVolatility = m.ImpliedVolatility, Timestamp = m.Timestamp }).ToArray(),
        };
        return _cluster.PublishPricesAsync(JsonSerializer.SerializeToUtf8Bytes(message, ContractJsonContext.Default.PricesMessage), Guid.NewGuid().ToString("N"),
            cancellationToken);
    }

    public override Task ReportAsync(LiquidationOrderReport report, CancellationToken cancellationToken) =>
        _cluster.PublishLiquidationReportAsync(report, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        if (_orders is not null)
        {
            await _orders.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Task HearAsync(ReceivedMessage message)
    {
        var json = ClusterWireJsonContext.Default;
        object? heard = message.Type switch
        {
            nameof(LiquidationOrderIssued) => JsonSerializer.Deserialize(message.Body.Span, json.LiquidationOrderIssued),
            nameof(AutoDeleveraged) => JsonSerializer.Deserialize(message.Body.Span, json.AutoDeleveraged),
            _ => null,
        };
        if (heard is not null)
        {
            Heard(heard);
        }

        return Task.CompletedTask;
    }
}
