using CrossMargin.Actors;
using CrossMargin.Contracts.Inbound;
using CrossMargin.Engine;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;

namespace CrossMargin.Node.Simulation;

/// <summary>The simulated venue on an embedded node: straight into the node's engine, orders heard on its event stream.</summary>
internal sealed class EmbeddedVenueLink : VenueLink
{
    private readonly RiskEngine _engine;
    private readonly IActorRef _forwarder;

    public EmbeddedVenueLink(RiskEngine engine)
    {
        _engine = engine;
        _forwarder = engine.System.ActorOf(Props.Create(() => new EventForwarder(Heard, typeof(LiquidationOrderIssued), typeof(AutoDeleveraged))),
            "simulator-venue");
    }

    public override async Task<string?> SendAsync(IInboundAccountMessage message, CancellationToken cancellationToken)
    {
        var command = message.ToAccountCommand();
        var reply = await _engine.SendAsync(command.AccountId!, command.Command!, cancellationToken).ConfigureAwait(false);
        return reply is CommandRejected rejected ? rejected.Rejection.Message : null;
    }

    public override async Task<string?> CheckAsync(PreTradeMessage order, CancellationToken cancellationToken)
    {
        var query = order.ToQuery();
        if (!query.IsValid)
        {
            return query.Describe();
        }

        var answer = await _engine.CheckPreTradeAsync(query.AccountId!, query.Command!, cancellationToken).ConfigureAwait(false);
        return answer.Accepted ? null : answer.Rejection?.Message ?? "refused";
    }

    public override Task SendPricesAsync(IReadOnlyList<UpdateIndex> indices, IReadOnlyList<UpdateMark> marks, CancellationToken cancellationToken)
    {
        foreach (var index in indices)
        {
            _engine.Prices.Tell(index, ActorRefs.Nobody);
        }

        _engine.Prices.Tell(new UpdatePrices([], marks), ActorRefs.Nobody);
        return Task.CompletedTask;
    }

    public override Task ReportAsync(LiquidationOrderReport report, CancellationToken cancellationToken)
    {
        _engine.Coordinator.Tell(report, ActorRefs.Nobody);
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        _engine.System.Stop(_forwarder);
        return ValueTask.CompletedTask;
    }
}
