using System.Text.Json;
using CrossMargin.Actors;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Api;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// What the liquidation singleton's holder does with a delivery from the liquidation queue: a breach report or a
/// venue's order report goes to the coordinator, and the delivery is acked only once the coordinator has handled it
/// (a query told after it has been answered: one mailbox, one order; a liquidation it started is then durable); an
/// operator's request is answered with the HTTP status and body the endpoint gives. Only nodes publish here (the
/// venue reports liquidation orders over HTTP, read under the contract there): a message another RabbitMQ user
/// published is refused (<see cref="ClusterUserCheck"/>), so a venue cannot start liquidations, deposit to the fund or
/// read it by writing to the queue. A read (<see cref="LeaseBoundReads.IsLiquidationRead"/>) is answered only while the
/// singleton's lease is surely held, as a shard's reads are: its token is cut once the lease may have passed
/// (<see cref="LeaseBoundReads"/>), and its answer waits while the node's leases are not current (<paramref name="leasesCurrent"/>).
/// </summary>
internal sealed class LiquidationDeliveries(
    LiquidationSingleton singleton, ConfirmingPublisher publisher, string nodeId, ClusterUserCheck clusterUsers, TimeSpan timeout, Func<bool> leasesCurrent, ILogger log)
{
    public async Task HandleAsync(ShardDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (!await clusterUsers.AdmitAsync(delivery, Rejections.MessageRejected.LiquidationPath, ClusterMessageTypes.LiquidationNames, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        switch (delivery.Type)
        {
            case ClusterMessageTypes.Breach:
                await ToCoordinatorAsync(delivery, ClusterWireJsonContext.Default.AccountBreached, cancellationToken).ConfigureAwait(false);
                return;
            case ClusterMessageTypes.OrderReport:
                await ToCoordinatorAsync(delivery, ClusterWireJsonContext.Default.LiquidationOrderReport, cancellationToken).ConfigureAwait(false);
                return;
        }

        (int Status, object Body)? answer;
        try
        {
            answer = await AnswerAsync(delivery, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            answer = (StatusCodes.Status400BadRequest, new MessageOutcome("rejected", delivery.MessageId, "malformed", e.Message));
        }

        if (answer is null)
        {
            log.LogWarning("Liquidation queue: message {MessageId} of unknown type {Type} dropped", delivery.MessageId, delivery.Type);
            return;
        }

        if (LeaseBoundReads.IsLiquidationRead(delivery.Type))
        {
            // Not sent once the singleton's lease may have passed: its next holder may have taken a liquidation step or
            // covered a deficit since this node's coordinator answered. The delivery goes back to the queue for that holder.
            await LeaseBoundReads.WithinLeaseAsync(leasesCurrent, cancellationToken).ConfigureAwait(false);
        }

        if (delivery.ReplyTo is { } replyTo && delivery.CorrelationId is { } correlation)
        {
            var reply = AccountReply.Of(answer.Value.Status, answer.Value.Body) with { Node = nodeId };
            await publisher.ReplyAsync(replyTo, correlation, reply.ToBytes(), delivery.MessageId ?? correlation, "reply", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ToCoordinatorAsync<T>(ShardDelivery delivery, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> json, CancellationToken cancellationToken)
        where T : class
    {
        T? message;
        try
        {
            message = JsonSerializer.Deserialize(delivery.Body.Span, json);
        }
        catch (JsonException e)
        {
            message = null;
            log.LogWarning(e, "Liquidation queue: unreadable {Type} {MessageId}", delivery.Type, delivery.MessageId);
        }

        if (message is null)
        {
            return;   // redelivery cannot make it readable
        }

        await HandOverAsync(singleton.Coordinator, message, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Tells <paramref name="message"/> to <paramref name="coordinator"/> and returns once it has handled it: a query told
    /// after it is answered after it (one mailbox, one order). A coordinator that has stopped fails it only after
    /// <paramref name="timeout"/>, unless <paramref name="cancellationToken"/> (the consumer's stop) ends the wait first.
    /// </summary>
    internal static async Task HandOverAsync(IActorRef coordinator, object message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        coordinator.Tell(message, ActorRefs.Nobody);
        try
        {
            await coordinator.Ask<HaltedInstruments>(GetHaltedInstruments.Instance, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTargetStoppedException)
        {
            // The coordinator stopped (a failed write or recovery): the node gives the singleton up on its next tick and
            // stops this queue's consumer, which returns this delivery to the queue for the next holder. Failed at once, it
            // would be requeued at once, and its redeliveries would spend every attempt before that tick: the breach report
            // or the venue's fill dead-lettered. So it fails as an unanswered ask did before asks of a stopped actor
            // failed at once: after the wait, or cancelled by the consumer's stop.
            await Task.Delay(timeout, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<(int Status, object Body)?> AnswerAsync(ShardDelivery delivery, CancellationToken cancellationToken)
    {
        var coordinator = singleton.Coordinator;
        var fund = singleton.InsuranceFund;
        return delivery.Type switch
        {
            ClusterMessageTypes.ListLiquidations => await LiquidationAnswers.ListAsync(coordinator, timeout, cancellationToken).ConfigureAwait(false),
            ClusterMessageTypes.ShowLiquidation => await LiquidationAnswers.ShowAsync(coordinator, Request(delivery).Id ?? "", timeout, cancellationToken).ConfigureAwait(false),
            ClusterMessageTypes.ListHalts => await LiquidationAnswers.HaltsAsync(coordinator, timeout, cancellationToken).ConfigureAwait(false),
            ClusterMessageTypes.Halt or ClusterMessageTypes.Resume when Request(delivery) is { Symbol: { Length: > 0 } symbol } request =>
                await LiquidationAnswers.SetHaltAsync(coordinator, symbol, delivery.Type == ClusterMessageTypes.Halt, timeout, cancellationToken, request.Id).ConfigureAwait(false),
            ClusterMessageTypes.ListUnbalancedAdl => await LiquidationAnswers.UnbalancedAsync(coordinator, timeout, cancellationToken).ConfigureAwait(false),
            ClusterMessageTypes.RebookAdl when JsonSerializer.Deserialize(delivery.Body.Span, ClusterWireJsonContext.Default.RebookAdlReversal) is { } rebook =>
                await LiquidationAnswers.RebookAsync(coordinator, rebook, timeout, cancellationToken).ConfigureAwait(false),
            ClusterMessageTypes.ShowFund => await LiquidationAnswers.FundAsync(fund, coordinator, timeout, cancellationToken).ConfigureAwait(false),
            ClusterMessageTypes.FundDeposit when JsonSerializer.Deserialize(delivery.Body.Span, ClusterWireJsonContext.Default.DepositToInsuranceFund) is { } deposit =>
                await LiquidationAnswers.DepositAsync(fund, deposit, timeout, cancellationToken).ConfigureAwait(false),
            ClusterMessageTypes.FundCoverUncovered when JsonSerializer.Deserialize(delivery.Body.Span, ClusterWireJsonContext.Default.CoverUncoveredDeficit) is { } cover =>
                await LiquidationAnswers.CoverUncoveredAsync(coordinator, cover, timeout, cancellationToken).ConfigureAwait(false),
            _ => null,
        };
    }

    private static LiquidationRequest Request(ShardDelivery delivery) =>
        JsonSerializer.Deserialize(delivery.Body.Span, ClusterWireJsonContext.Default.LiquidationRequest) ?? new LiquidationRequest();
}
