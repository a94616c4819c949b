using CrossMargin.Engine.Accounts;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Liquidations;

/// <summary>Sending an auto-deleverage round's sides to their accounts, in order, and what each answer (applied, refused) does.</summary>
public sealed partial class LiquidationCoordinator
{
    /// <summary>
    /// Whether a later event of <paramref name="liquidation"/> than <paramref name="executed"/> (other than its refusals)
    /// shows the round settled: the liquidation moves on only once every side sent has answered, so each notice of it went
    /// out before that event was written. Such a round is not announced again when it is re-sent after a restart.
    /// </summary>
    private static bool Settled(Liquidation liquidation, AutoDeleverageExecuted executed)
    {
        var events = liquidation.Events;
        for (var i = events.Count - 1; i >= 0 && !ReferenceEquals(events[i], executed); i--)
        {
            if (events[i] is not (AutoDeleverageFillRefused or AutoDeleverageBankruptSideRefused or AutoDeleverageReversalRefused or AutoDeleverageReversalRebooked
                or AutoDeleverageRebookingBooked))
            {
                return true;
            }
        }

        return false;
    }

    private static ApplyExecution CounterpartySide(AutoDeleverageExecuted e, AdlExecution fill)
    {
        var id = e.CounterpartyMessageId(fill);
        return new ApplyExecution(id, AdlSource, fill.CounterpartySequence, id, id, e.Symbol, fill.Side, fill.Quantity, fill.Price, 0m, Liquidity.Taker, e.Time,
            IsLiquidation: true, ReducesPosition: fill.CounterpartyPosition);
    }

    private static ApplyExecution BankruptSide(AutoDeleverageExecuted e, AdlExecution fill)
    {
        var id = e.BankruptMessageId(fill);
        return new ApplyExecution(id, AdlSource, fill.BankruptSequence, id, e.CounterpartyMessageId(fill), e.Symbol, Opposite(fill.Side), fill.Quantity,
            fill.Price, 0m, Liquidity.Taker, e.Time, IsLiquidation: true, ReducesPosition: fill.BankruptPosition);
    }

    /// <summary>The message id of the execution that undoes <paramref name="fill"/>'s counterparty side.</summary>
    private static string ReversalMessageId(AutoDeleverageExecuted e, AdlExecution fill) => e.CounterpartyMessageId(fill) + ":reversed";

    /// <summary>
    /// The counterparty's side of <paramref name="fill"/> undone at <paramref name="sequence"/>: the opposite trade, same
    /// quantity and price, so its equity at any mark is what it was before the fill. It states no position: it gives back
    /// what the fill took, whatever the account did since.
    /// </summary>
    private static ApplyExecution Reversal(AutoDeleverageExecuted e, AdlExecution fill, long sequence)
    {
        var id = ReversalMessageId(e, fill);
        return new ApplyExecution(id, AdlSource, sequence, id, e.CounterpartyMessageId(fill), e.Symbol, Opposite(fill.Side), fill.Quantity, fill.Price, 0m,
            Liquidity.Taker, e.Time, IsLiquidation: true);
    }

    /// <summary>Sends the reversal of the counterparty side of <paramref name="round"/>'s fill <paramref name="index"/> and awaits its answer.</summary>
    private void SendReversal(AdlRound round, int index, long sequence)
    {
        var e = round.Executed;
        var fill = e.Fills[index];
        round.Reversals[index] = sequence;
        _awaitedSides[ReversalMessageId(e, fill)] = (round, index, AdlSide.Reversal);
        _adlOutbox.Send(fill.AccountId, Reversal(e, fill, sequence), awaitsAnswer: true);
    }

    /// <summary>
    /// Consumes the sequence of an auto-deleverage execution that never applied, refused or never sent, with a
    /// <see cref="VoidSequence"/> (an id of its own: the execution itself, arriving late, is then out of order, never applied).
    /// </summary>
    private void Void(string accountId, string voidedMessageId, long sequence) =>
        _adlOutbox.Send(accountId, new VoidSequence(voidedMessageId + ":void", AdlSource, sequence, voidedMessageId), awaitsAnswer: false);

    /// <summary>
    /// Evaluates again once every side sent of the liquidation's rounds has answered (the bankrupt sides that stand are
    /// sent as their counterparties answer): a view before that could only show the round half applied.
    /// </summary>
    private void EvaluateOnceApplied(Liquidation liquidation)
    {
        if (!AwaitedSidesOf(liquidation).Any())
        {
            Evaluate(liquidation);
            return;
        }

        liquidation.Phase = Phase.ApplyingAdl;
        Timers.StartSingleTimer(("view", liquidation.Id), new ViewTimedOut(liquidation.Id, Phase.ApplyingAdl), _settings.OrderTimeout);
    }

    private IEnumerable<(AdlRound Round, int Index, AdlSide Side)> AwaitedSidesOf(Liquidation liquidation) =>
        _awaitedSides.Values.Where(s => s.Round.Executed.LiquidationId == liquidation.Id);

    private void EvaluateOnceAnswered(string liquidationId)
    {
        if (_byId.TryGetValue(liquidationId, out var liquidation) && liquidation.Phase == Phase.ApplyingAdl && !AwaitedSidesOf(liquidation).Any())
        {
            Timers.Cancel(("view", liquidation.Id));
            Evaluate(liquidation);
        }
    }

    /// <summary>
    /// Sends the bankrupt sides of the round's fills whose counterparties have answered, in sequence order, up to the
    /// first that has not: the side of a fill that applied, a void in place of one refused.
    /// </summary>
    private void ReleaseBankruptSides(AdlRound round)
    {
        var e = round.Executed;
        for (; round.Next < e.Fills.Count && round.Applied[round.Next] is { } applied; round.Next++)
        {
            var fill = e.Fills[round.Next];
            var id = e.BankruptMessageId(fill);
            if (!applied || _byId[e.LiquidationId].RefusedAdl.Contains(id))
            {
                Void(e.AccountId, id, fill.BankruptSequence);
                continue;
            }

            _awaitedSides[id] = (round, round.Next, AdlSide.Bankrupt);
            _adlOutbox.Send(e.AccountId, BankruptSide(e, fill), awaitsAnswer: true);
        }

        EvaluateOnceAnswered(e.LiquidationId);
    }

    /// <summary>
    /// A side applied: its account is told (<see cref="AutoDeleveraged"/>) now, not when the round was recorded, so a
    /// refused fill is announced to neither; a counterparty's side releases the bankrupt side behind it.
    /// </summary>
    private void SideApplied(AdlRound round, int index, AdlSide side)
    {
        if (side == AdlSide.Rebook)
        {
            RebookApplied(round, index);
            return;
        }

        var e = round.Executed;
        var fill = e.Fills[index];
        _adlOutbox.Answered(side == AdlSide.Bankrupt ? e.AccountId : fill.AccountId, side switch
        {
            AdlSide.Bankrupt => fill.BankruptSequence,
            AdlSide.Reversal => round.Reversals[index],
            _ => fill.CounterpartySequence,
        });

        if (round.Announces && (fill.CounterpartyPosition is not null || fill.ByFund))
        {
            // Fills from older journals were announced when their round was recorded.
            Context.System.EventStream.Publish(side switch
            {
                AdlSide.Bankrupt => new AutoDeleveraged(e.LiquidationId, e.AccountId, e.Symbol, Opposite(fill.Side), fill.Quantity, fill.Price, e.BankruptMessageId(fill)),
                AdlSide.Reversal => new AutoDeleveraged(e.LiquidationId, fill.AccountId, e.Symbol, Opposite(fill.Side), fill.Quantity, fill.Price, ReversalMessageId(e, fill)),
                _ => new AutoDeleveraged(e.LiquidationId, fill.AccountId, e.Symbol, fill.Side, fill.Quantity, fill.Price, e.CounterpartyMessageId(fill)),
            });
        }

        if (side != AdlSide.Counterparty)
        {
            EvaluateOnceAnswered(e.LiquidationId);
            return;
        }

        round.Applied[index] = true;
        ReleaseBankruptSides(round);
    }

    private void OnCounterpartyRefused(AdlRound round, int index, Rejection rejection)
    {
        var e = round.Executed;
        var fill = e.Fills[index];
        Context.Log.LogWarning("Liquidation {LiquidationId}: {AccountId} refused its auto-deleverage fill of round {Round}: {Code} {Reason}; neither side applies",
            e.LiquidationId, fill.AccountId, e.Round, rejection.Code, rejection.Message);
        Persist(new AutoDeleverageFillRefused(e.LiquidationId, e.Round, fill.AccountId, rejection.Code, rejection.Message, Now), refused =>
        {
            Apply(refused);
            Void(fill.AccountId, e.CounterpartyMessageId(fill), fill.CounterpartySequence);
            round.Applied[index] = false;
            ReleaseBankruptSides(round);
        });
    }

    /// <summary>
    /// The bankrupt account refused its side after the counterparty applied its own: the counterparty's side is reversed at
    /// the same price (<see cref="AutoDeleverageBankruptSideRefused.ReversalSequence"/>), whatever the reason, so that the
    /// books net; left standing, the counterparty's position moved and the bankrupt account's did not. What the
    /// liquidation does next depends on the reason. <see cref="RejectionCode.PositionChanged"/>: the account holds less
    /// than the round saw (the venue traded it in the round's last round trip: a fill of an order that raced the
    /// cancel-all, or the late fill of a liquidation order that expired unreported), so once the reversal is answered it
    /// evaluates again and a new round prices what the account holds. Any other reason (its contract expired and it was
    /// settled for it, the instrument or its tick or lot changed under it, the side's sequence was refused) would be met
    /// again by the next round, each moving and reversing another counterparty: the instrument is held for this
    /// liquidation (<see cref="Liquidation.AdlHeld"/>) until an operator resumes it, and the liquidation stalls with the
    /// reason if nothing else is left to auto-deleverage. The one exception is <see cref="RejectionCode.IdReused"/>: the
    /// account has applied something under the side's id, so it may be in the books already and a reversal could undo the
    /// one side that nets; the counterparty's side stands and the instrument is held. Either way the refusal is journaled
    /// and the side's sequence voided, never sent again. Forced through instead (before session 26), the side closed more
    /// than the account held and flipped it (long 0.5 sold 2: short 1.5), at a price made for a position it no longer had.
    /// </summary>
    private void OnBankruptSideRefused(AdlRound round, int index, Rejection rejection)
    {
        var e = round.Executed;
        var fill = e.Fills[index];
        var id = e.BankruptMessageId(fill);
        long? reversal = rejection.Code == RejectionCode.IdReused ? null : NextSequence(fill.AccountId, AdlSource);
        if (reversal is null)
        {
            // Nothing undoes the counterparty's side: listed unbalanced (ApplyUnbalanced) for the operator.
            EngineMetrics.AdlUnbalanced.Add(1);
        }

        if (rejection.Code == RejectionCode.PositionChanged)
        {
            Context.Log.LogWarning("Liquidation {LiquidationId}: {AccountId} refused its side {MessageId} of an auto-deleverage fill {Counterparty} applied: {Reason}; "
                + "reversing the counterparty's side and pricing again from what the account holds", e.LiquidationId, e.AccountId, id, fill.AccountId, rejection.Message);
        }
        else
        {
            Context.Log.LogError("Liquidation {LiquidationId}: {AccountId} refused its side {MessageId} of an auto-deleverage fill {Counterparty} applied: {Code} {Reason}; "
                + "{Counterpartys} and {Symbol} is no longer auto-deleveraged by this liquidation until an operator resumes it", e.LiquidationId, e.AccountId, id,
                fill.AccountId, rejection.Code, rejection.Message, reversal is null ? "the counterparty's side stands (the id was applied)" : "reversing the counterparty's side",
                e.Symbol);
        }

        // Journaled, so that a restart sends the void (and the reversal) again rather than the side, which would only be refused again.
        Persist(new AutoDeleverageBankruptSideRefused(e.LiquidationId, e.Round, fill.AccountId, rejection.Code, rejection.Message, Now, reversal), refused =>
        {
            Apply(refused);
            Void(e.AccountId, id, fill.BankruptSequence);
            if (refused.ReversalSequence is { } sequence)
            {
                SendReversal(round, index, sequence);
            }

            EvaluateOnceAnswered(e.LiquidationId);
        });
    }
}
