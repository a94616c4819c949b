using CrossMargin.Engine.Accounts;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Liquidations;

/// <summary>The money a liquidation moves between its account and the fund, and its end waiting until both sides have it.</summary>
public sealed partial class LiquidationCoordinator
{
    /// <summary>
    /// The fee and cover messages sent and not answered yet, by receiver and id, with the command to send again: a fee
    /// goes to the account (<see cref="ChargeLiquidationFee"/>) and to the fund (<see cref="CollectLiquidationFee"/>), a
    /// cover to the account (<see cref="CoverDeficit"/>), each after the event that decided it was journaled, a shortfall's
    /// settlement to the fund as the liquidation ends (<see cref="SettleShortfalls"/>), and nothing
    /// journals their arrival. Only the active liquidations' commands are sent again after a restart, so a liquidation
    /// ends only once every one of them has answered: a crash that lost one in a mailbox cannot leave one side paid and
    /// the other not. Each answer is journaled (<see cref="LiquidationSettlementAnswered"/>): a restart sends again, and
    /// awaits, only those not answered.
    /// </summary>
    private readonly Dictionary<(bool ToFund, string Id), (Liquidation Liquidation, long Sequence, Action Send)> _unsettled = [];

    /// <summary>Sends a fee or cover message to the account and awaits its answer.</summary>
    private void SettleWithAccount(Liquidation liquidation, IAccountCommand command)
    {
        if (liquidation.Answered.Contains((false, command.MessageId)))
        {
            return;
        }

        void Send() => ToAccount(liquidation.AccountId, command);
        _unsettled[(false, command.MessageId)] = (liquidation, command.Sequence, Send);
        Send();
    }

    /// <summary>
    /// Sends <paramref name="command"/> (a fee, <see cref="CollectLiquidationFee"/>, or a shortfall's settlement,
    /// <see cref="SettleLiquidationShortfall"/>) to the fund under <paramref name="requestId"/> and awaits its answer.
    /// </summary>
    private void SettleWithFund(Liquidation liquidation, string requestId, object command)
    {
        if (liquidation.Answered.Contains((true, requestId)))
        {
            return;
        }

        void Send() => _settings.InsuranceFund.Tell(command, Self);
        _unsettled[(true, requestId)] = (liquidation, 0, Send);
        Send();
    }

    /// <summary>An answer to a fee or cover message; false when <paramref name="answer"/> is none.</summary>
    private bool OnSettled(object answer)
    {
        var (toFund, id, refusal) = answer switch
        {
            CommandAccepted a => (false, a.MessageId, null),
            CommandDuplicate d => (false, d.MessageId, null),
            CommandRejected r => (false, r.MessageId, Text($"{r.Rejection.Code} {r.Rejection.Message}")),
            LiquidationFeeCollected c => (true, c.RequestId, null),
            LiquidationShortfallSettled c => (true, c.RequestId, null),
            InsuranceFundRejected r => (true, r.RequestId, r.Reason),
            _ => (false, string.Empty, (string?)null),
        };
        if (!_unsettled.Remove((toFund, id), out var sent))
        {
            return false;
        }

        if (refusal is not null)
        {
            // Sending it again would be refused again: the books no longer net, which only an operator can put right.
            Context.Log.LogError("Liquidation {LiquidationId}: {Receiver} refused {MessageId}: {Reason}; the other side has it", sent.Liquidation.Id,
                toFund ? "the insurance fund" : sent.Liquidation.AccountId, id, refusal);
        }

        var liquidation = sent.Liquidation;
        Persist(new LiquidationSettlementAnswered(liquidation.Id, id, toFund, refusal, Now), e =>
        {
            Apply(e);
            if (liquidation.Phase == Phase.Settling && liquidation.Ending is { } reason && !Unsettled(liquidation).Any())
            {
                Complete(liquidation, reason);
            }
        });

        return true;
    }

    private IEnumerable<(Liquidation Liquidation, long Sequence, Action Send)> Unsettled(Liquidation liquidation) =>
        _unsettled.Values.Where(s => s.Liquidation == liquidation);

    /// <summary>
    /// Sends again the liquidation's messages not answered yet (each idempotent: a receiver that has one answers it as a
    /// duplicate), the account's in sequence order: one that went ahead of a lower sequence would make the account refuse
    /// that one as out of order. Before a view (<paramref name="beforeView"/>): the account's, its cancel-all included, as
    /// a view is waited for until it reflects them; else the fee and cover messages to both sides, which the end waits for.
    /// </summary>
    private void SendUnansweredAgain(Liquidation liquidation, bool beforeView)
    {
        if (beforeView && _cancels.FirstOrDefault(c => c.Value == liquidation).Key is { } cancel)
        {
            SendCancel(liquidation, cancel);
        }

        foreach (var (_, _, send) in _unsettled.Where(s => s.Value.Liquidation == liquidation && !(beforeView && s.Key.ToFund))
                     .Select(s => s.Value).OrderBy(s => s.Sequence).ToArray())
        {
            send();
        }
    }

    /// <summary>
    /// Holds the end of <paramref name="liquidation"/> while a fee or cover of it is unanswered (sending each again every
    /// order timeout); false when none is, and it may end now.
    /// </summary>
    private bool AwaitSettlement(Liquidation liquidation, string reason)
    {
        if (!Unsettled(liquidation).Any())
        {
            return false;
        }

        liquidation.Phase = Phase.Settling;
        liquidation.Ending = reason;
        Timers.StartSingleTimer(("view", liquidation.Id), new ViewTimedOut(liquidation.Id, Phase.Settling), _settings.OrderTimeout);
        return true;
    }

    private void OnSettlementTimeout(Liquidation liquidation)
    {
        Context.Log.LogWarning("Liquidation {LiquidationId}: fee or cover messages not answered in time; sending them again", liquidation.Id);
        SendUnansweredAgain(liquidation, beforeView: false);

        Timers.StartSingleTimer(("view", liquidation.Id), new ViewTimedOut(liquidation.Id, Phase.Settling), _settings.OrderTimeout);
    }
}
