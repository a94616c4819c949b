using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Liquidations;

/// <summary>The view requests an auto-deleverage round sends the counterparties it would take from, each under an id of its own.</summary>
public sealed partial class LiquidationCoordinator
{
    // Ids of this incarnation's requests: a restarted coordinator's ids never meet an answer to its predecessor's.
    private readonly string _viewRequestPrefix = Guid.NewGuid().ToString("N")[..12];
    private long _viewRequests;

    /// <summary>
    /// Asks <paramref name="accountId"/> for its view for <paramref name="liquidation"/>'s round, awaiting the answer under
    /// a new request id (<see cref="OnAdlViewAnswered"/>). The request goes through the region like every other message to
    /// the account, so the answer still reflects what was sent before it.
    /// </summary>
    private void AskCounterparty(Liquidation liquidation, string accountId)
    {
        var requestId = $"{_viewRequestPrefix}-{++_viewRequests}";
        liquidation.AdlAwaiting[accountId] = requestId;
        _settings.Accounts.Tell(new ShardEnvelope(accountId, GetAccount.Instance), new ViewAnswerRef(Self, liquidation.Id, requestId));
    }

    /// <summary>
    /// A counterparty's view, answering the request <paramref name="answered"/> names: taken only if it is the request
    /// the round awaits for that account. Any other (an earlier round's request given up on at the timeout, another
    /// liquidation's, one from before the round was dropped) shows the account as it was before the request awaited, and
    /// the round asks for a view of its own precisely to see what the venue did since: dropped and counted.
    /// </summary>
    private void OnAdlViewAnswered(AdlViewAnswered answered)
    {
        var view = answered.View;
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

    private sealed record AdlViewAnswered(string LiquidationId, string RequestId, AccountView View);

    /// <summary>
    /// The sender of a counterparty view request: hands the coordinator the view with the request's id (anything else
    /// as it is). No actor of its own, so nothing to stop: an answer however late still reaches the coordinator, to be
    /// told apart by its id.
    /// </summary>
    private sealed class ViewAnswerRef(IActorRef coordinator, string liquidationId, string requestId) : IActorRef
    {
        public ActorPath Path { get; } = coordinator.Path.Child("view-" + requestId);

        public string Name => Path.Name;

        public void Tell(object message, IActorRef? sender) =>
            coordinator.Tell(message is AccountView view ? new AdlViewAnswered(liquidationId, requestId, view) : message, sender);

        public override string ToString() => Path.ToString();
    }
}
