using System.Threading.Channels;
using CrossMargin.Contracts.Inbound;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;

namespace CrossMargin.Node.Simulation;

/// <summary>
/// How the simulated venue reaches the risk engine: its account messages, its prices, its reports of liquidation
/// fills, and the liquidation orders and ADL notices it hears back. Embedded, that is the node's own engine; on a
/// cluster node it is the broker, as a real venue integrates (<see cref="ClusterVenueLink"/>).
/// </summary>
internal abstract class VenueLink : IAsyncDisposable
{
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Liquidation orders (<see cref="LiquidationOrderIssued"/>) and ADL notices (<see cref="AutoDeleveraged"/>), as they come.</summary>
    public ChannelReader<object> Events => _events.Reader;

    /// <summary>Sends a well-formed account message and waits for the account: null when applied (or a duplicate), else why it was refused.</summary>
    public abstract Task<string?> SendAsync(IInboundAccountMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the risk engine's pre-trade check about an order before the book matches it: null when accepted, else why not
    /// (a check that gets no answer refuses, as a venue must fail closed).
    /// </summary>
    public abstract Task<string?> CheckAsync(PreTradeMessage order, CancellationToken cancellationToken);

    /// <summary>Sends index prices and marks.</summary>
    public abstract Task SendPricesAsync(IReadOnlyList<UpdateIndex> indices, IReadOnlyList<UpdateMark> marks, CancellationToken cancellationToken);

    /// <summary>Reports what a liquidation order filled to the coordinator.</summary>
    public abstract Task ReportAsync(LiquidationOrderReport report, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>Hands an order or notice heard from the engine to <see cref="Events"/>.</summary>
    protected void Heard(object @event) => _events.Writer.TryWrite(@event);
}
