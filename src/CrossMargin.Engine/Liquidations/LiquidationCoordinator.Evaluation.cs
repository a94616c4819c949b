using CrossMargin.Engine.Accounts;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Liquidations;

/// <summary>Starting a liquidation on a breach, asking for the account's view and routing each view to the phase that waits for it.</summary>
public sealed partial class LiquidationCoordinator
{
    // ---- starting -------------------------------------------------------------------------------------------------

    private void OnBreach(AccountBreached breach)
    {
        // Accounts report on every re-assessment while breached: one liquidation per account at a time.
        if (_activeByAccount.ContainsKey(breach.AccountId))
        {
            return;
        }

        // A report assessed at a market no newer than the account's figures its last liquidation ended on is stale:
        // redelivered through a queue, or overtaken by the liquidation it caused. A breach that persists is reported
        // again at the next market, which is newer. Both times are the account owner's market times, so the
        // coordinator's own clock (on another node in a cluster) never decides it.
        if (_completedAt.TryGetValue(breach.AccountId, out var completed) && breach.ValuationTime <= completed)
        {
            Context.Log.LogDebug("Breach report of {AccountId} at {ValuationTime} predates the end of its last liquidation at {Completed}; ignored",
                breach.AccountId, breach.ValuationTime, completed);
            return;
        }

        if (IsRecordedUncovered(breach))
        {
            Context.Log.LogDebug("Breach report of {AccountId}: flat with {Uncovered} USD recorded uncovered by {LiquidationId}; not liquidated again",
                breach.AccountId, _uncovered[breach.AccountId].UncoveredUsd, _uncovered[breach.AccountId].LiquidationId);
            return;
        }

        var n = _countByAccount.GetValueOrDefault(breach.AccountId) + 1;
        var started = new LiquidationStarted(LiquidationOrderIds.Liquidation(breach.AccountId, n), breach.AccountId, breach.Status, breach.EquityUsd, breach.MaintenanceMarginUsd,
            NextSequence(breach.AccountId, LiquidationSource), Now);
        Persist(started, e =>
        {
            Apply(e);
            EngineMetrics.LiquidationsStarted.Add(1);
            Context.Log.LogInformation("Liquidation {LiquidationId} of {AccountId} started: {Status}, equity {Equity}, MM {MM}", e.LiquidationId, e.AccountId,
                e.Status, e.EquityUsd, e.MaintenanceMarginUsd);
            var liquidation = _byId[e.LiquidationId];
            liquidation.Saw(breach.ValuationTime);
            SendOutbound(liquidation, e);
            Evaluate(liquidation);
        });
    }

    /// <summary>The cancel-alls sent and not answered yet, by message id.</summary>
    private readonly Dictionary<string, Liquidation> _cancels = new(StringComparer.Ordinal);

    private static string CancelMessageId(string liquidationId) => $"{liquidationId}:cancel";

    /// <summary>Sends the liquidation's cancel-all, unless its answer is journaled: an account far past it could not tell it from a new message.</summary>
    private void SendCancel(Liquidation liquidation, LiquidationStarted started)
    {
        var id = CancelMessageId(started.LiquidationId);
        if (!liquidation.Answered.Contains((false, id)))
        {
            SendCancel(liquidation, id);
        }
    }

    private void SendCancel(Liquidation liquidation, string messageId)
    {
        _cancels[messageId] = liquidation;
        ToAccount(liquidation.AccountId, new CancelAllOrders(messageId, LiquidationSource, liquidation.CancelSequence));
    }

    /// <summary>
    /// An answer to a cancel-all, journaled (<see cref="LiquidationSettlementAnswered"/>) so that a restart does not send
    /// it again; false when <paramref name="answer"/> is none. Nothing waits for it.
    /// </summary>
    private bool OnCancelAnswered(object answer)
    {
        var (id, rejection) = answer switch
        {
            CommandAccepted a => (a.MessageId, null),
            CommandDuplicate d => (d.MessageId, null),
            CommandRejected r => (r.MessageId, r.Rejection),
            _ => (string.Empty, (Rejection?)null),
        };
        if (!_cancels.Remove(id, out var liquidation))
        {
            return false;
        }

        string? refusal = null;
        if (rejection is { Code: RejectionCode.OutOfOrder })
        {
            // The account has applied a later message of the coordinator's, and no longer remembers this one: done (a
            // cancel-all sent again after a restart, to an account that has applied more messages since than it looks back on).
            Context.Log.LogInformation("Liquidation {LiquidationId}: {AccountId} is past cancel-all {MessageId}; taken as applied", liquidation.Id,
                liquidation.AccountId, id);
        }
        else if (rejection is not null)
        {
            refusal = Text($"{rejection.Code} {rejection.Message}");
            Context.Log.LogWarning("Liquidation {LiquidationId}: {AccountId} refused cancel-all {MessageId}: {Reason}", liquidation.Id, liquidation.AccountId, id,
                refusal);
        }

        Persist(new LiquidationSettlementAnswered(liquidation.Id, id, false, refusal, Now), Apply);
        return true;
    }

    // ---- evaluating -----------------------------------------------------------------------------------------------

    private void Evaluate(Liquidation liquidation)
    {
        liquidation.FundAllowanceUsd = null;
        liquidation.Phase = Phase.AwaitingView;
        RequestView(liquidation);
    }

    private void RequestView(Liquidation liquidation)
    {
        liquidation.ViewAskedAt = _sequences.GetValueOrDefault((liquidation.AccountId, LiquidationSource));
        AskOwnView(liquidation);
        Timers.StartSingleTimer(("view", liquidation.Id), new ViewTimedOut(liquidation.Id, liquidation.Phase), _settings.OrderTimeout);
    }

    private void OnViewTimeout(ViewTimedOut timeout)
    {
        if (_byId.TryGetValue(timeout.LiquidationId, out var fundWaiter) && fundWaiter.Phase == timeout.Phase && timeout.Phase == Phase.AwaitingFund)
        {
            // No word from the fund: plan as if it could absorb nothing (the tightest bound; a take-over if the book will not fill).
            Context.Log.LogWarning("Liquidation {LiquidationId}: no answer from the insurance fund in time; bounding by the equity alone", fundWaiter.Id);
            PlanWithFund(fundWaiter, 0m);
            return;
        }

        if (_byId.TryGetValue(timeout.LiquidationId, out var offered) && offered.Phase == timeout.Phase && timeout.Phase == Phase.AwaitingTakeOver)
        {
            // No word from the fund: it is not counted on, as when it is too small.
            DeleverageAtALoss(offered, "no answer from the insurance fund in time for a take-over");
            return;
        }

        if (_byId.TryGetValue(timeout.LiquidationId, out var confirming) && confirming.Phase == timeout.Phase && timeout.Phase == Phase.ConfirmingAdl)
        {
            // A counterparty that does not answer is not counted on: the round goes on without it.
            Context.Log.LogWarning("Liquidation {LiquidationId}: no view of {Accounts} in time; deleveraging without them", confirming.Id,
                string.Join(", ", confirming.AdlAwaiting.Keys));
            foreach (var account in confirming.AdlAwaiting.Keys)
            {
                confirming.AdlViews.Remove(account);
            }

            confirming.AdlAwaiting.Clear();
            Reprice(confirming);
            return;
        }

        if (_byId.TryGetValue(timeout.LiquidationId, out var covering) && covering.Phase == timeout.Phase && timeout.Phase == Phase.AwaitingCover)
        {
            Context.Log.LogWarning("Liquidation {LiquidationId}: no answer from the insurance fund to {RequestId} in time; measuring the deficit again to send it again",
                covering.Id, covering.PendingCover);
            MeasureCover(covering);
            return;
        }

        if (_byId.TryGetValue(timeout.LiquidationId, out var settling) && settling.Phase == timeout.Phase && timeout.Phase == Phase.Settling)
        {
            OnSettlementTimeout(settling);
            return;
        }

        if (_byId.TryGetValue(timeout.LiquidationId, out var applying) && applying.Phase == timeout.Phase && timeout.Phase == Phase.ApplyingAdl)
        {
            // Executions are idempotent: one lost on its way (or its answer) is sent again rather than waited for for ever.
            Context.Log.LogWarning("Liquidation {LiquidationId}: auto-deleverage counterparties have not answered in time; sending their executions again",
                applying.Id);
            foreach (var (round, index, side) in AwaitedSidesOf(applying).ToArray())
            {
                var e = round.Executed;
                var fill = e.Fills[index];
                _adlOutbox.Send(side == AdlSide.Bankrupt ? e.AccountId : fill.AccountId, side switch
                {
                    AdlSide.Bankrupt => BankruptSide(e, fill),
                    AdlSide.Reversal => Reversal(e, fill, round.Reversals[index]),
                    _ => CounterpartySide(e, fill),
                }, awaitsAnswer: true);
            }

            Timers.StartSingleTimer(("view", applying.Id), new ViewTimedOut(applying.Id, Phase.ApplyingAdl), _settings.OrderTimeout);
            return;
        }

        if (_byId.TryGetValue(timeout.LiquidationId, out var liquidation) && liquidation.Phase == timeout.Phase
            && timeout.Phase is Phase.AwaitingView or Phase.AwaitingAdlView or Phase.PricingAdl or Phase.MeasuringCover)
        {
            // A message to the account lost on its way would keep every view from reflecting it: it goes again first
            // (one sender, one order), then the request.
            Context.Log.LogWarning("Liquidation {LiquidationId}: no view of {AccountId} in time; asking again", liquidation.Id, liquidation.AccountId);
            SendUnansweredAgain(liquidation, beforeView: true);
            RequestView(liquidation);
        }
    }

    /// <summary>The liquidated account's view, answering the last request asked of it (<see cref="OnViewAnswered"/>).</summary>
    private void OnView(Liquidation liquidation, AccountView view)
    {
        if (!_activeByAccount.TryGetValue(view.AccountId, out var active) || active != liquidation)
        {
            return;
        }

        var waiting = liquidation.Phase is Phase.AwaitingView or Phase.AwaitingAdlView or Phase.PricingAdl or Phase.MeasuringCover;
        if (waiting && AnswersEarlierRequest(liquidation, view, out var floor))
        {
            // The view asked for, missing a message sent before the request (lost on its way, or not yet applied):
            // planning from it would miss it, a cover above all (a full cover planned from a view before it would be
            // asked for again). The message and the request go again when the timer runs out.
            Context.Log.LogInformation("Liquidation {LiquidationId}: a view of {AccountId} reflecting its messages up to {Highest}, not {Floor}: one sent "
                + "before the request is missing; dropped", liquidation.Id, liquidation.AccountId, view.HighestOf(LiquidationSource), floor);
            return;
        }

        if (view.Margin is { } margin)
        {
            liquidation.Saw(margin.ValuationTime);
        }

        if (waiting && _pendingAdl.Awaits(view))
        {
            // Planning or pricing from a view that misses this account's auto-deleverage fills would close what is
            // already closed; ask again a little later rather than now, which could spin while the fills are on their way.
            Context.Log.LogWarning("Liquidation {LiquidationId}: the view of {AccountId} does not show its auto-deleverage fills yet; asking again",
                liquidation.Id, liquidation.AccountId);
            Timers.StartSingleTimer(("view", liquidation.Id), new ViewTimedOut(liquidation.Id, liquidation.Phase), _settings.AdlCollectWindow);
            return;
        }

        switch (liquidation.Phase)
        {
            case Phase.AwaitingView:
                Timers.Cancel(("view", liquidation.Id));
                Plan(liquidation, view);
                break;
            case Phase.AwaitingAdlView:
                Timers.Cancel(("view", liquidation.Id));
                StartAdl(liquidation, view);
                break;
            case Phase.PricingAdl:
                Timers.Cancel(("view", liquidation.Id));
                Deleverage(liquidation, view);
                break;
            case Phase.MeasuringCover:
                Timers.Cancel(("view", liquidation.Id));
                AskFundAgain(liquidation, view);
                break;
        }
    }

    /// <summary>
    /// Whether <paramref name="view"/> answers a request made before the last one: it does not reflect a message sent to
    /// the account from <see cref="LiquidationSource"/> before the last request (refused ones aside, which no view
    /// reflects); the lowest sequence it had to reflect in <paramref name="floor"/>. The account answers in order, after
    /// the messages sent before the request. A view that states no sequences (from a node that did not send them) cannot
    /// say, and is taken as before.
    /// </summary>
    private bool AnswersEarlierRequest(Liquidation liquidation, AccountView view, out long floor)
    {
        floor = liquidation.ViewAskedAt;
        while (floor > 0 && _refusedSequences.Contains((liquidation.AccountId, floor)))
        {
            floor--;
        }

        return view.Sequences is not null && view.HighestOf(LiquidationSource) < floor;
    }
}
