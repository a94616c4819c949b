using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Margin;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// Deficits left uncovered: recorded per account when a liquidation ends flat with one, kept out of new liquidations
/// while the account holds no risk, and covered by the fund when an operator asks (<see cref="CoverUncoveredDeficit"/>).
/// </summary>
public sealed partial class LiquidationCoordinator
{
    /// <summary>The deficit each account's last liquidation left uncovered, rebuilt from the journal.</summary>
    private readonly SortedDictionary<string, UncoveredDeficit> _uncovered = new(StringComparer.Ordinal);

    /// <summary>Operators' cover requests waiting for the fund's view, by request id: the account and who to answer.</summary>
    private readonly Dictionary<string, (string AccountId, List<IActorRef> ReplyTo)> _coverDecisions = new(StringComparer.Ordinal);

    /// <summary>The total of <see cref="_uncovered"/>, for the gauge (read from another thread); 0 while no coordinator runs here.</summary>
    private static double s_uncoveredUsd;

    /// <summary>USD recorded uncovered and not covered since, as the coordinator running in this process knows it (0 where none runs).</summary>
    internal static double UncoveredUsd => Volatile.Read(ref s_uncoveredUsd);

    /// <summary>
    /// Records or clears the account's uncovered deficit as <paramref name="liquidation"/> completes: one completed right
    /// after a cover the fund could not pay in full ended flat with that deficit (the only way a liquidation ends with one
    /// outstanding); any other completion leaves the account solvent, or at least with risk a new breach liquidates.
    /// </summary>
    /// <summary>
    /// As <paramref name="liquidation"/> ends, tells the fund what of the shortfalls it recorded is still uncovered
    /// (<see cref="SettleLiquidationShortfall"/>), so its history sums to the deficits uncovered now: this liquidation's,
    /// when a cover fell short (what <see cref="RecordUncovered"/> records: the last cover's shortfall when the
    /// liquidation ends right after it, else nothing: auto-deleveraging passed it on), and the account's earlier
    /// liquidation's, recorded uncovered, which this one measured afresh (it is this one's now, or paid). The end
    /// awaits the fund's answers, and a restart sends them again until answered.
    /// </summary>
    private void SettleShortfalls(Liquidation liquidation)
    {
        if (_uncovered.TryGetValue(liquidation.AccountId, out var earlier) && earlier.LiquidationId != liquidation.Id)
        {
            var id = $"{earlier.LiquidationId}:shortfall:{liquidation.Id}";
            SettleWithFund(liquidation, id, new SettleLiquidationShortfall(id, earlier.LiquidationId, liquidation.AccountId, 0m));
        }

        if (liquidation.Events.Any(e => e is LiquidationCoverReceived { UncoveredUsd: > 0 }))
        {
            var id = $"{liquidation.Id}:shortfall";
            var left = liquidation.Events[^1] is LiquidationCoverReceived { UncoveredUsd: > 0 } last ? last.UncoveredUsd : 0m;
            SettleWithFund(liquidation, id, new SettleLiquidationShortfall(id, liquidation.Id, liquidation.AccountId, left));
        }
    }

    private void RecordUncovered(Liquidation liquidation, LiquidationCompleted completed)
    {
        if (liquidation.Events.Count >= 2 && liquidation.Events[^2] is LiquidationCoverReceived { UncoveredUsd: > 0 } cover)
        {
            _uncovered[liquidation.AccountId] = new UncoveredDeficit(liquidation.AccountId, liquidation.Id, cover.UncoveredUsd, completed.Time);
        }
        else
        {
            _uncovered.Remove(liquidation.AccountId);
        }

        Volatile.Write(ref s_uncoveredUsd, (double)_uncovered.Values.Sum(u => u.UncoveredUsd));
    }

    /// <summary>
    /// Whether a breach report is an account flat with a deficit already recorded uncovered (no maintenance margin: no
    /// position or order left): liquidating it would only ask the fund again, at every re-margin, and record the same
    /// loss once more each time. The operator decides when the fund pays it (<see cref="CoverUncoveredDeficit"/>).
    /// </summary>
    private bool IsRecordedUncovered(AccountBreached breach) =>
        breach.MaintenanceMarginUsd == 0 && _uncovered.ContainsKey(breach.AccountId);

    private void OnCoverUncovered(CoverUncoveredDeficit request)
    {
        if (_liquidations.FirstOrDefault(l => l.Events[0] is LiquidationStarted { CoverRequestId: { } id } && id == request.RequestId) is { } started)
        {
            Sender.Tell(new UncoveredDeficitCoverStarted(request.RequestId, started.AccountId, started.Id, -((LiquidationStarted)started.Events[0]).EquityUsd), Self);
            return;
        }

        if (_coverDecisions.TryGetValue(request.RequestId, out var deciding))
        {
            deciding.ReplyTo.Add(Sender);
            return;
        }

        if (Refusal(request.RequestId, request.AccountId) is { } reason)
        {
            Sender.Tell(new UncoveredDeficitCoverRefused(request.RequestId, request.AccountId, reason), Self);
            return;
        }

        // The fund's free value decides: a cover it cannot pay is refused before anything is written.
        _coverDecisions[request.RequestId] = (request.AccountId, [Sender]);
        _settings.InsuranceFund.Tell(GetInsuranceFund.Instance, new FundAnswerRef(Self, request.RequestId));
        Timers.StartSingleTimer(("cover-decision", request.RequestId), new CoverDecisionTimedOut(request.RequestId), _settings.OrderTimeout);
    }

    private string? Refusal(string requestId, string accountId)
    {
        if (string.IsNullOrWhiteSpace(requestId) || string.IsNullOrWhiteSpace(accountId))
        {
            return "A request id and an account are required.";
        }

        if (_activeByAccount.TryGetValue(accountId, out var active))
        {
            return Text($"{accountId} is being liquidated ({active.Id}): its deficit, if any, goes to the fund from there.");
        }

        if (_coverDecisions.FirstOrDefault(d => d.Value.AccountId == accountId).Key is { } other && other != requestId)
        {
            return Text($"A cover of {accountId} is being decided (request {other}).");
        }

        return _uncovered.ContainsKey(accountId) ? null : Text($"Nothing is recorded uncovered for {accountId}.");
    }

    private void OnCoverFundAnswered(CoverFundAnswered answered)
    {
        if (!_coverDecisions.Remove(answered.RequestId, out var decision))
        {
            return;
        }

        Timers.Cancel(("cover-decision", answered.RequestId));
        var accountId = decision.AccountId;
        void Answer(object reply) => decision.ReplyTo.ForEach(r => r.Tell(reply, Self));

        if (Refusal(answered.RequestId, accountId) is { } reason)
        {
            Answer(new UncoveredDeficitCoverRefused(answered.RequestId, accountId, reason));
            return;
        }

        var uncovered = _uncovered[accountId];
        var reserved = _activeByAccount.Values.Sum(l => l.ReservedFundUsd + (l.PendingCover is null ? 0m : l.PendingCoverUsd));
        var free = answered.Fund.ValueUsd - reserved;
        if (free < uncovered.UncoveredUsd)
        {
            Answer(new UncoveredDeficitCoverRefused(answered.RequestId, accountId,
                Text($"The fund cannot pay the {uncovered.UncoveredUsd} USD {accountId} has uncovered: it is worth {answered.Fund.ValueUsd} USD, {reserved} of it set aside for liquidations under way. Deposit into it first.")));
            return;
        }

        // A liquidation of its own: its fresh view measures the deficit (the account's own deposits may have paid part), the
        // fund is asked for that under the liquidation's request id, and the cover is paid, journaled and re-sent after a
        // restart like any liquidation's.
        var n = _countByAccount.GetValueOrDefault(accountId) + 1;
        var started = new LiquidationStarted(LiquidationOrderIds.Liquidation(accountId, n), accountId, MarginStatus.Bankrupt, -uncovered.UncoveredUsd, 0m,
            NextSequence(accountId, LiquidationSource), Now, CoverRequestId: answered.RequestId);
        Persist(started, e =>
        {
            Apply(e);
            EngineMetrics.LiquidationsStarted.Add(1);
            Context.Log.LogInformation("Liquidation {LiquidationId} of {AccountId} started by the operator (request {RequestId}) to cover {Uncovered} USD left uncovered by {Earlier}",
                e.LiquidationId, e.AccountId, e.CoverRequestId, uncovered.UncoveredUsd, uncovered.LiquidationId);
            Answer(new UncoveredDeficitCoverStarted(answered.RequestId, accountId, e.LiquidationId, uncovered.UncoveredUsd));
            var liquidation = _byId[e.LiquidationId];
            SendOutbound(liquidation, e);
            Evaluate(liquidation);
        });
    }

    private void OnCoverDecisionTimedOut(CoverDecisionTimedOut timeout)
    {
        if (_coverDecisions.Remove(timeout.RequestId, out var decision))
        {
            var refused = new UncoveredDeficitCoverRefused(timeout.RequestId, decision.AccountId, Text($"The insurance fund did not answer within {_settings.OrderTimeout}; nothing was paid."));
            decision.ReplyTo.ForEach(r => r.Tell(refused, Self));
        }
    }

    private UncoveredDeficits Uncovered() => new(_uncovered.Values.Sum(u => u.UncoveredUsd), _uncovered.Values.ToArray());

    private sealed record CoverFundAnswered(string RequestId, InsuranceFundView Fund);

    private sealed record CoverDecisionTimedOut(string RequestId);

    /// <summary>
    /// The sender of an operator cover's fund view request: hands the coordinator the view with the request's id, so it
    /// is never taken for the answer a liquidation's plan awaits (<see cref="OnFundView"/>).
    /// </summary>
    private sealed class FundAnswerRef(IActorRef coordinator, string requestId) : IActorRef
    {
        public ActorPath Path { get; } = coordinator.Path.Child("fund-" + requestId);

        public string Name => Path.Name;

        public void Tell(object message, IActorRef? sender) =>
            coordinator.Tell(message is InsuranceFundView view ? new CoverFundAnswered(requestId, view) : message, sender);

        public override string ToString() => Path.ToString();
    }
}
