using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Margin;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Liquidations;

/// <summary>Ending a liquidation, and the operator's halts and resumes of instruments.</summary>
public sealed partial class LiquidationCoordinator
{
    // ---- ending, operator actions ----------------------------------------------------------------------------------

    private void OnStatusChanged(AccountStatusChanged changed)
    {
        if (!_activeByAccount.TryGetValue(changed.AccountId, out var liquidation))
        {
            return;
        }

        liquidation.Saw(changed.ValuationTime);
        if (changed.To is MarginStatus.Healthy or MarginStatus.MarginCall && liquidation.Phase == Phase.Idle)
        {
            Complete(liquidation, Text($"account back to {changed.To}: equity {changed.EquityUsd}, MM {changed.MaintenanceMarginUsd}"));
        }
    }

    private void Complete(Liquidation liquidation, string reason)
    {
        if (AwaitSettlement(liquidation, reason))
        {
            // Ended once its fees and covers are answered (OnSettled): after a restart only an active one sends them again.
            return;
        }

        Persist(new LiquidationCompleted(liquidation.Id, reason, Now, liquidation.MarketTime), e =>
        {
            Apply(e);
            Timers.Cancel(("retry", liquidation.Id));
            Timers.Cancel(("step", liquidation.Id));
            Timers.Cancel(("view", liquidation.Id));
            EngineMetrics.LiquidationsCompleted.Add(1);
            Context.Log.LogInformation("Liquidation {LiquidationId} completed: {Reason}", e.LiquidationId, e.Reason);
        });
    }

    private void OnHalt(HaltLiquidation halt)
    {
        var replyTo = Sender;
        Persist(new LiquidationInstrumentHalted(halt.Symbol, Now), e =>
        {
            _halted.Add(e.Symbol);
            replyTo.Tell(new HaltedInstruments(_halted.ToArray()), Self);
        });
    }

    private void OnResume(ResumeLiquidation resume)
    {
        var replyTo = Sender;
        Persist(new LiquidationInstrumentResumed(resume.Symbol, Now), e =>
        {
            _halted.Remove(e.Symbol);
            replyTo.Tell(new HaltedInstruments(_halted.ToArray()), Self);
            foreach (var liquidation in _activeByAccount.Values.Where(l => l.Phase == Phase.Idle).ToArray())
            {
                Timers.Cancel(("retry", liquidation.Id));
                OnRetry(liquidation.Id);
            }
        });
    }
}
