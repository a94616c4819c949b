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
            if (events[i] is not (AutoDeleverageFillRefused or AutoDeleverageBankruptSideRefused))
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

    /// <summary>
    /// The bankrupt side of <paramref name="fill"/> as it goes now: without the position it states once it has been sent
    /// so (<see cref="OnBankruptSideRefused"/>), also when a timeout sends it again.
    /// </summary>
    private ApplyExecution BankruptSideToSend(AutoDeleverageExecuted e, AdlExecution fill)
    {
        var side = BankruptSide(e, fill);
        return _forcedBankruptSides.Contains(side.MessageId) ? side with { ReducesPosition = null } : side;
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

    private IEnumerable<(AdlRound Round, int Index, bool Bankrupt)> AwaitedSidesOf(Liquidation liquidation) =>
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

            _awaitedSides[id] = (round, round.Next, true);
            _adlOutbox.Send(e.AccountId, BankruptSide(e, fill), awaitsAnswer: true);
        }

        EvaluateOnceAnswered(e.LiquidationId);
    }

    /// <summary>
    /// A side applied: its account is told (<see cref="AutoDeleveraged"/>) now, not when the round was recorded, so a
    /// refused fill is announced to neither; a counterparty's side releases the bankrupt side behind it.
    /// </summary>
    private void SideApplied(AdlRound round, int index, bool bankrupt)
    {
        var e = round.Executed;
        var fill = e.Fills[index];
        if (bankrupt)
        {
            _adlOutbox.Answered(e.AccountId, fill.BankruptSequence);
        }
        else
        {
            _adlOutbox.Answered(fill.AccountId, fill.CounterpartySequence);
        }

        if (round.Announces && (fill.CounterpartyPosition is not null || fill.ByFund))
        {
            // Fills from older journals were announced when their round was recorded.
            Context.System.EventStream.Publish(bankrupt
                ? new AutoDeleveraged(e.LiquidationId, e.AccountId, e.Symbol, Opposite(fill.Side), fill.Quantity, fill.Price, e.BankruptMessageId(fill))
                : new AutoDeleveraged(e.LiquidationId, fill.AccountId, e.Symbol, fill.Side, fill.Quantity, fill.Price, e.CounterpartyMessageId(fill)));
        }

        if (bankrupt)
        {
            _forcedBankruptSides.Remove(e.BankruptMessageId(fill));
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
    /// The bankrupt account refused its side after the counterparty applied its own. When it holds less than the round
    /// saw (a venue fill that raced the cancel-all), the side is sent once more without the position it states: the
    /// counterparty's side stands, so only applying this one keeps the books netting; the account's position may cross
    /// zero, and its liquidation, which evaluates again once the side is answered, closes what that leaves. Refused for
    /// any other reason, or again, the side is not announced, the refusal is journaled (<see cref="AutoDeleverageBankruptSideRefused"/>),
    /// its sequence is voided, and the books no longer net, which only an operator can put right.
    /// </summary>
    private void OnBankruptSideRefused(AdlRound round, int index, Rejection rejection)
    {
        var e = round.Executed;
        var fill = e.Fills[index];
        var id = e.BankruptMessageId(fill);
        if (rejection.Code == RejectionCode.PositionChanged && _forcedBankruptSides.Add(id))
        {
            Context.Log.LogWarning("Liquidation {LiquidationId}: {AccountId} refused its side {MessageId} of an auto-deleverage fill {Counterparty} applied: {Reason}; "
                + "sent again without the position it states, so that the books net", e.LiquidationId, e.AccountId, id, fill.AccountId, rejection.Message);
            _awaitedSides[id] = (round, index, true);
            _adlOutbox.Send(e.AccountId, BankruptSideToSend(e, fill), awaitsAnswer: true);
            return;
        }

        _forcedBankruptSides.Remove(id);
        Context.Log.LogError("Liquidation {LiquidationId}: {AccountId} refused its side {MessageId} of an auto-deleverage fill {Counterparty} applied: {Code} {Reason}; "
            + "the counterparty's side stands", e.LiquidationId, e.AccountId, id, fill.AccountId, rejection.Code, rejection.Message);

        // Journaled, so that a restart sends the void again rather than the side, which would only be refused again.
        Persist(new AutoDeleverageBankruptSideRefused(e.LiquidationId, e.Round, fill.AccountId, rejection.Code, rejection.Message, Now), refused =>
        {
            Apply(refused);
            Void(e.AccountId, id, fill.BankruptSequence);
            EvaluateOnceAnswered(e.LiquidationId);
        });
    }
}
