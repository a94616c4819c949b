using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Margin;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Liquidations;

/// <summary>Ending a liquidation, the operator's halts and resumes of instruments, and the pauses of silent underlyings.</summary>
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
        SettleShortfalls(liquidation);
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
        if (resume.LiquidationId is { } one && (!_byId.TryGetValue(one, out var held) || _activeByAccount.GetValueOrDefault(held.AccountId) != held
            || !held.AdlHeld.ContainsKey(resume.Symbol)))
        {
            // Journaled, a release of nothing would read in the history as one that let a liquidation trade. The named
            // liquidation itself must be its account's active one: a completed one keeps the holds it ended with, and its
            // account may since be in a newer liquidation, which a release of the old one would not touch (Resumed).
            replyTo.Tell(new Status.Failure(new KeyNotFoundException(Text($"No active liquidation {one} holds {resume.Symbol}."))), Self);
            return;
        }

        Persist(new LiquidationInstrumentResumed(resume.Symbol, Now, resume.LiquidationId), e =>
        {
            Resumed(e);
            replyTo.Tell(new HaltedInstruments(_halted.ToArray()), Self);
            if (e.LiquidationId is { } released)
            {
                // The others keep their back-off: nothing changed for them.
                RetryWaiting(_byId[released]);
            }
            else
            {
                RetryWaiting();
            }
        });
    }

    /// <summary>
    /// An operator resumed <paramref name="resumed"/>'s instrument: no longer halted, and auto-deleveraged again by the
    /// liquidations that held it after a refused bankrupt side, their backstop tried at their next plan (at once when
    /// waiting, else once the book's step out is reported), not after the back-off of the stalls the hold caused. A
    /// release of one liquidation (<see cref="LiquidationInstrumentResumed.LiquidationId"/>) touches that one alone: an
    /// instrument other liquidations hold for refusals not yet put right, each of which another round would meet again
    /// (moving and reversing, or leaving unbalanced, one more counterparty), and a halt, stay.
    /// </summary>
    private void Resumed(LiquidationInstrumentResumed resumed)
    {
        if (resumed.LiquidationId is null)
        {
            _halted.Remove(resumed.Symbol);
        }

        foreach (var liquidation in _activeByAccount.Values)
        {
            if ((resumed.LiquidationId is null || resumed.LiquidationId == liquidation.Id) && liquidation.AdlHeld.Remove(resumed.Symbol))
            {
                liquidation.Stalls = 0;
                liquidation.BackstopTried = false;
            }
        }
    }

    private void RetryWaiting()
    {
        foreach (var liquidation in _activeByAccount.Values.Where(l => l.Phase == Phase.Idle).ToArray())
        {
            RetryWaiting(liquidation);
        }
    }

    private void RetryWaiting(Liquidation liquidation)
    {
        if (liquidation.Phase == Phase.Idle)
        {
            Timers.Cancel(("retry", liquidation.Id));
            OnRetry(liquidation.Id);
        }
    }

    /// <summary>
    /// Whether forced trading in <paramref name="symbol"/> waits: halted by an operator, or on an underlying whose index
    /// nobody has refreshed for <see cref="LiquidationCoordinatorSettings.SilentAfter"/> (its mark and the deficit measured
    /// with it are as untrusted as a halted instrument's). Neither is journaled: silence is read from this node's market,
    /// which in a cluster gets the same prices as every other node.
    /// </summary>
    private bool Paused(string symbol) =>
        _halted.Contains(symbol) || (_settings.Market.Current.FindListedOrExpired(symbol)?.Underlying is { } underlying && IsSilent(underlying));

    /// <summary>Whether <paramref name="underlying"/> is silent now; logs when a silence is first seen and when it ends.</summary>
    private bool IsSilent(string underlying)
    {
        if (_settings.SilentAfter is not { } after)
        {
            return false;
        }

        var silent = _settings.Market.IsSilent(underlying, Now, after);
        if (silent && _silentUnderlyings.Add(underlying))
        {
            Context.Log.LogWarning("No {Underlying} index accepted since {IndexTime} (more than {SilentAfter}; the node's start if none was): its liquidation orders and auto-deleveraging pause until one is",
                underlying, _settings.Market.HeardTimeOf(underlying), after);
        }
        else if (!silent && _silentUnderlyings.Remove(underlying))
        {
            Context.Log.LogInformation("{Underlying} index accepted again at {IndexTime}: its liquidations resume", underlying, _settings.Market.IndexTimeOf(underlying));
        }

        return silent;
    }

    /// <summary>A new market: an underlying found silent that it moved is checked again, and the liquidations waiting go on if it was heard.</summary>
    private void OnMarketChanged(MarketChanged changed)
    {
        if (_silentUnderlyings.Count == 0)
        {
            return;
        }

        var heard = false;
        foreach (var underlying in _silentUnderlyings.Where(changed.Underlyings.Contains).ToArray())
        {
            // IsSilent forgets (and logs) an underlying heard again.
            heard |= !IsSilent(underlying);
        }

        if (heard)
        {
            RetryWaiting();
        }
    }
}
