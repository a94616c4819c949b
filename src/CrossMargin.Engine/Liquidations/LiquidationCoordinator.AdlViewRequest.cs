using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The view requests the coordinator sends, each under an id of its own: a liquidated account's (<see cref="RequestView"/>)
/// and those an auto-deleverage round sends the counterparties it would take from.
/// </summary>
public sealed partial class LiquidationCoordinator
{
    // Ids of this incarnation's requests: a restarted coordinator's ids never meet an answer to its predecessor's.
    private readonly string _viewRequestPrefix = Guid.NewGuid().ToString("N")[..12];
    private long _viewRequests;

    /// <summary>
    /// Asks <paramref name="accountId"/> for its view for <paramref name="liquidation"/>'s round, awaiting the answer under
    /// a new request id (<see cref="OnViewAnswered"/>). The request goes through the region like every other message to
    /// the account, so the answer still reflects what was sent before it.
    /// </summary>
    private void AskCounterparty(Liquidation liquidation, string accountId)
    {
        var requestId = NextViewRequestId();
        liquidation.AdlAwaiting[accountId] = requestId;
        _settings.Accounts.Tell(new ShardEnvelope(accountId, GetAccount.Instance), new ViewAnswerRef(Self, liquidation.Id, requestId, own: false));
    }

    /// <summary>
    /// Asks the liquidated account for its view under a new request id, the only one <see cref="OnViewAnswered"/> then takes
    /// for it: an answer to an earlier request (given up on at a timeout, or the previous incarnation's) shows the account
    /// before the venue trades the request was sent to see, even when no message of the coordinator's went to it in between.
    /// </summary>
    private void AskOwnView(Liquidation liquidation)
    {
        var requestId = NextViewRequestId();
        liquidation.ViewRequestId = requestId;
        _settings.Accounts.Tell(new ShardEnvelope(liquidation.AccountId, GetAccount.Instance), new ViewAnswerRef(Self, liquidation.Id, requestId, own: true));
    }

    private string NextViewRequestId() => $"{_viewRequestPrefix}-{++_viewRequests}";

    /// <summary>
    /// A view answering the request <paramref name="answered"/> names. The liquidated account's is taken only if it is the
    /// last one asked of it (<see cref="OnView"/>); a counterparty's only if it is the request the round awaits for that
    /// account. Any other (an earlier round's request given up on at the timeout, another
    /// liquidation's, one from before the round was dropped) shows the account as it was before the request awaited, and
    /// the round asks for a view of its own precisely to see what the venue did since: dropped and counted.
    /// </summary>
    private void OnViewAnswered(ViewAnswered answered)
    {
        var view = answered.View;
        if (answered.Own)
        {
            if (_byId.TryGetValue(answered.LiquidationId, out var own) && own.ViewRequestId == answered.RequestId)
            {
                own.ViewRequestId = null;
                OnView(own, view);
                return;
            }

            EngineMetrics.LiquidationStaleViews.Add(1);
            Context.Log.LogInformation("Liquidation {LiquidationId}: a view of {AccountId} answering request {RequestId}, not the one awaited; dropped",
                answered.LiquidationId, view.AccountId, answered.RequestId);
            return;
        }

        if (_byId.TryGetValue(answered.LiquidationId, out var liquidation) && liquidation.Phase == Phase.ConfirmingAdl
            && liquidation.AdlAwaiting.TryGetValue(view.AccountId, out var awaited) && awaited == answered.RequestId)
        {
            Confirmed(liquidation, view);
            return;
        }

        EngineMetrics.AdlStaleViews.Add(1);
        Context.Log.LogInformation("Liquidation {LiquidationId}: a view of {AccountId} answering request {RequestId}, which no round awaits now; dropped",
            answered.LiquidationId, view.AccountId, answered.RequestId);
    }

    private sealed record ViewAnswered(string LiquidationId, string RequestId, bool Own, AccountView View);

    /// <summary>
    /// The sender of a view request: hands the coordinator the view with the request's id and whether it is the liquidated
    /// account's own (anything else as it is). No actor of its own, so nothing to stop: an answer however late still
    /// reaches the coordinator, to be told apart by its id.
    /// </summary>
    private sealed class ViewAnswerRef(IActorRef coordinator, string liquidationId, string requestId, bool own) : IActorRef
    {
        public ActorPath Path { get; } = coordinator.Path.Child("view-" + requestId);

        public string Name => Path.Name;

        public void Tell(object message, IActorRef? sender) =>
            coordinator.Tell(message is AccountView view ? new ViewAnswered(liquidationId, requestId, own, view) : message, sender);

        public override string ToString() => Path.ToString();
    }
}
