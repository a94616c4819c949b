using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Liquidations;

/// <summary>The state each event leaves, and the commands it implies: sent when it is persisted and again after a restart.</summary>
public sealed partial class LiquidationCoordinator
{
    // ---- state ----------------------------------------------------------------------------------------------------

    private void Apply(ILiquidationEvent @event)
    {
        if (@event is LiquidationStarted started)
        {
            var created = new Liquidation(started);
            _liquidations.Add(created);
            _byId[created.Id] = created;
            _activeByAccount[created.AccountId] = created;
            _countByAccount[created.AccountId] = _countByAccount.GetValueOrDefault(created.AccountId) + 1;
            Observe(created.AccountId, LiquidationSource, started.CancelSequence);
            return;
        }

        var liquidation = _byId[@event.LiquidationId];
        if (@event is LiquidationSettlementAnswered answered)
        {
            // Bookkeeping of the messages, not a step of the liquidation: kept out of its history (and of what
            // Settled reads as the liquidation having moved on).
            liquidation.Answered.Add((answered.ToFund, answered.MessageId));
            if (answered is { ToFund: false, Refusal: not null } && AccountSequenceOf(liquidation, answered.MessageId) is > 0 and var refused)
            {
                _refusedSequences.Add((liquidation.AccountId, refused));
            }

            return;
        }

        liquidation.Events.Add(@event);
        switch (@event)
        {
            case LiquidationStepPlanned e:
                liquidation.Steps = e.Step;
                liquidation.LastPlan = e;
                liquidation.StepFilled = false;
                liquidation.TakeOverDue = false;
                liquidation.ReservedFundUsd = e.Orders.Sum(o => o.Bound?.FundShareUsd ?? 0m);
                foreach (var order in e.Orders)
                {
                    liquidation.Outstanding[order.OrderId] = order;
                    _orderOwner[order.OrderId] = liquidation;
                    Consume(order.Symbol, order.Quantity, e.Time);
                }

                liquidation.Phase = e.Orders.Count > 0 ? Phase.AwaitingReports : Phase.Idle;
                break;
            case LiquidationOrderReported e:
                _orderOwner.Remove(e.OrderId);
                if (e.FeeSequence > 0)
                {
                    Observe(liquidation.AccountId, LiquidationSource, e.FeeSequence);
                }

                if (liquidation.Expired.Remove(e.OrderId))
                {
                    // A late report of an order already counted as unfilled: its fee is charged, but its step has ended.
                    break;
                }

                liquidation.Outstanding.Remove(e.OrderId);
                liquidation.StepFilled |= e.FilledQuantity > 0;
                if (liquidation.Outstanding.Count == 0)
                {
                    liquidation.StepEnded();
                }

                break;
            case LiquidationOrdersExpired e:
                foreach (var id in e.OrderIds)
                {
                    // Kept (with its owner) for a report that comes after all: the fill it reports pays its fee.
                    if (liquidation.Outstanding.Remove(id, out var order))
                    {
                        Expire(liquidation, id, order, e.Time);
                    }
                }

                liquidation.StepEnded();
                ForgetExpiredPastHorizon();
                break;
            case LiquidationCoverRequested e:
                liquidation.Covers++;
                liquidation.PendingCover = e.RequestId;
                liquidation.PendingCoverUsd = e.DeficitUsd;
                liquidation.BackstopTried = true;
                liquidation.Phase = Phase.AwaitingCover;
                break;
            case LiquidationCoverReceived e:
                liquidation.PendingCover = null;
                liquidation.ReservedFundUsd = 0m;
                liquidation.LastStepFilledNothing = false;

                // A full cover restores equity: should the account go bankrupt again later, the backstop may run again.
                liquidation.BackstopTried = e.UncoveredUsd > 0;
                if (e.CoveredUsd > 0)
                {
                    liquidation.Stalls = 0;
                }

                liquidation.Phase = Phase.Idle;
                for (var i = 0; i < e.Payments.Count; i++)
                {
                    Observe(liquidation.AccountId, LiquidationSource, e.FirstSequence + i);
                }

                break;
            case AutoDeleverageExecuted e:
                // A round priced in an instrument the liquidation held shows the hold released. Only a journal written
                // before session 29 has one without a resume between: its refusal did not recur, so no hold either.
                liquidation.AdlHeld.Remove(e.Symbol);
                _pendingAdl.Add(e);
                liquidation.Stalls = 0;
                liquidation.AdlRounds = e.Round;
                liquidation.AdlTarget = null;
                liquidation.BackstopTried = false;
                liquidation.TakeOverDue = false;
                liquidation.UnfilledSteps = 0;
                liquidation.ReservedFundUsd = 0m;
                liquidation.Phase = Phase.Idle;
                foreach (var fill in e.Fills)
                {
                    Observe(fill.AccountId, AdlSource, fill.CounterpartySequence);
                    Observe(liquidation.AccountId, AdlSource, fill.BankruptSequence);
                }

                break;
            case AutoDeleverageFillRefused e:
                var executed = liquidation.Events.OfType<AutoDeleverageExecuted>().First(x => x.Round == e.Round);
                var refusedFill = executed.Fills.First(f => f.AccountId == e.AccountId);
                liquidation.RefusedAdl.Add(executed.CounterpartyMessageId(refusedFill));
                _pendingAdl.Refused(executed.CounterpartyMessageId(refusedFill));
                _pendingAdl.Refused(executed.BankruptMessageId(refusedFill));
                break;
            case AutoDeleverageBankruptSideRefused e:
                var round = liquidation.Events.OfType<AutoDeleverageExecuted>().First(x => x.Round == e.Round);
                var bankruptSide = round.BankruptMessageId(round.Fills.First(f => f.AccountId == e.CounterpartyId));
                liquidation.RefusedAdl.Add(bankruptSide);
                _pendingAdl.Refused(bankruptSide);
                if (e.Code != RejectionCode.PositionChanged)
                {
                    liquidation.AdlHeld[round.Symbol] = Text($"auto-deleveraging {round.Symbol} held since {liquidation.AccountId} refused its side of round {e.Round} ({e.Code}: {e.Reason}); an operator's resume of {round.Symbol}, everywhere or for {liquidation.Id} alone, releases it");
                }

                if (e.ReversalSequence is { } reversal)
                {
                    var reversed = round.Fills.First(f => f.AccountId == e.CounterpartyId);
                    _pendingAdl.AddReversal(round, reversed, ReversalMessageId(round, reversed), reversal);
                    Observe(e.CounterpartyId, AdlSource, reversal);
                }

                break;
            case FundAccountSwept e:
                liquidation.Swept = true;
                liquidation.Phase = Phase.Sweeping;
                for (var i = 0; i < e.Amounts.Count; i++)
                {
                    Observe(liquidation.AccountId, LiquidationSource, e.FirstSequence + i);
                }

                break;
            case LiquidationStalled e:
                // A take-over with no counterparty: the book is asked at the band until the back-off tries it again.
                liquidation.Unbounded |= liquidation.TakeOverDue;
                liquidation.TakeOverDue = false;
                liquidation.UnfilledSteps = 0;
                liquidation.AdlTarget = null;
                liquidation.Phase = Phase.Idle;
                liquidation.Stalls++;
                liquidation.LastStall = e.Time;
                break;
            case LiquidationCompleted e:
                liquidation.Phase = Phase.Completed;
                _activeByAccount.Remove(liquidation.AccountId);
                _completedAt[liquidation.AccountId] = e.MarketTime ?? e.Time;
                // An order still out when it ended may yet be reported filled: kept as expired, its report pays its fee.
                foreach (var (id, order) in liquidation.Outstanding)
                {
                    Expire(liquidation, id, order, e.Time);
                }

                liquidation.Outstanding.Clear();
                ForgetExpiredPastHorizon();
                RecordUncovered(liquidation, e);
                break;
        }

        ApplyUnbalanced(liquidation, @event);
    }

    private void Resume()
    {
        // Re-send every command of the active liquidations (all idempotent), then pick each up where its journal left it.
        // Their auto-deleverage messages go once all are known, each account's in sequence order: liquidation by
        // liquidation, a later sequence to an account could go before an earlier one another liquidation sends it.
        var active = _activeByAccount.Values.ToArray();
        _adlOutbox.Hold();
        foreach (var liquidation in active)
        {
            foreach (var @event in liquidation.Events)
            {
                SendOutbound(liquidation, @event);
            }
        }

        _adlOutbox.Release();

        // The fees of late reports journaled after their liquidation completed (nothing held the end for them): sent
        // again until answered, like an active liquidation's.
        foreach (var done in _liquidations.Where(l => l.Phase == Phase.Completed))
        {
            for (var i = done.Events.FindLastIndex(e => e is LiquidationCompleted) + 1; i < done.Events.Count; i++)
            {
                SendOutbound(done, done.Events[i]);
            }
        }

        foreach (var liquidation in active)
        {
            if (liquidation.Outstanding.Count > 0)
            {
                liquidation.Phase = Phase.AwaitingReports;
                Timers.StartSingleTimer(("step", liquidation.Id), new StepTimedOut(liquidation.Id, liquidation.Steps), _settings.OrderTimeout);
            }
            else if (liquidation.PendingCover is not null)
            {
                // The fund may never have had the request: it is sent again for the deficit as a fresh view measures it.
                MeasureCover(liquidation);
            }
            else if (_sweepWithdrawals.Values.Any(s => s.Liquidation == liquidation))
            {
                // Its sweep was sent again above: the answers move it on.
                liquidation.Phase = Phase.Sweeping;
            }
            else if (liquidation.Events[^1] is LiquidationCoverReceived { UncoveredUsd: > 0 } cover)
            {
                // The fund left a deficit and the auto-deleverage round that passes it on was under way: every way out
                // of one is journaled. It starts again from a fresh view, as when the cover came; an evaluation would
                // send the bankrupt account to the book instead, where each fill deepens a deficit nobody then bears.
                liquidation.LastCover = cover;
                liquidation.Phase = Phase.AwaitingAdlView;
                RequestView(liquidation);
            }
            else
            {
                EvaluateOnceApplied(liquidation);
            }
        }
    }

    /// <summary>The commands an event implies, to accounts and to the fund: sent when it is persisted and again after a restart.</summary>
    private void SendOutbound(Liquidation liquidation, ILiquidationEvent @event)
    {
        var account = liquidation.AccountId;
        switch (@event)
        {
            case LiquidationStarted e:
                SendCancel(liquidation, e);
                break;
            case LiquidationOrderReported { FeeAmount: > 0 } e:
                var symbol = liquidation.Order(e.OrderId).Symbol;
                SettleWithAccount(liquidation, new ChargeLiquidationFee(FeeMessageId(e), LiquidationSource, e.FeeSequence, e.LiquidationId, e.FeeAsset, e.FeeAmount));
                SettleWithFund(liquidation, FeeMessageId(e), new CollectLiquidationFee(FeeMessageId(e), e.LiquidationId, account, symbol, e.FeeAsset, e.FeeAmount, e.FeeUsd));
                break;
            case LiquidationCoverReceived e:
                for (var i = 0; i < e.Payments.Count; i++)
                {
                    var payment = e.Payments[i];
                    SettleWithAccount(liquidation, new CoverDeficit(CoverMessageId(e, i), LiquidationSource, e.FirstSequence + i, payment.Asset, payment.Amount));
                }

                break;
            case AutoDeleverageExecuted e:
                // The bankrupt account's side of a fill goes once its counterparty has applied its own (which it refuses
                // when it holds less than the round saw), so a refusal leaves neither side applied, never one alone; the
                // sequences of a refused fill are voided, in their place, so the next message to either account follows on.
                // Fills from older journals state no position: both sides go at once, as they did.
                var round = new AdlRound(e, announces: !Settled(liquidation, e));
                for (var i = 0; i < e.Fills.Count; i++)
                {
                    var fill = e.Fills[i];
                    var id = e.CounterpartyMessageId(fill);
                    if (liquidation.RefusedAdl.Contains(id))
                    {
                        Void(fill.AccountId, id, fill.CounterpartySequence);
                        round.Applied[i] = false;
                        continue;
                    }

                    var awaited = fill.CounterpartyPosition is not null || fill.ByFund;
                    if (awaited)
                    {
                        _awaitedSides[id] = (round, i, AdlSide.Counterparty);
                    }
                    else
                    {
                        round.Applied[i] = true;
                    }

                    _adlOutbox.Send(fill.AccountId, CounterpartySide(e, fill), awaitsAnswer: awaited);
                }

                ReleaseBankruptSides(round);
                break;
            case AutoDeleverageBankruptSideRefused { ReversalSequence: { } reversal } e:
                // Sent again after the round's counterparty side (a lower sequence), applied or answered as a duplicate;
                // its void instead once its refusal is journaled (it would only be refused again).
                var executed = liquidation.Events.OfType<AutoDeleverageExecuted>().First(x => x.Round == e.Round);
                var index = executed.Fills.ToList().FindIndex(f => f.AccountId == e.CounterpartyId);
                if (liquidation.Events.Any(x => x is AutoDeleverageReversalRefused { Attempt: 0 } r && r.Round == e.Round && r.CounterpartyId == e.CounterpartyId))
                {
                    Void(e.CounterpartyId, ReversalMessageId(executed, executed.Fills[index]), reversal);
                    break;
                }

                SendReversal(new AdlRound(executed, announces: !Settled(liquidation, executed)), index, reversal);
                break;
            case AutoDeleverageReversalRebooked e:
                SendRebook(liquidation, e);
                break;
            case FundAccountSwept e:
                SendSweep(liquidation, e);
                break;
        }
    }

    private static string FeeMessageId(LiquidationOrderReported reported) => $"{reported.LiquidationId}:fee:{reported.OrderId}";

    private static string CoverMessageId(LiquidationCoverReceived received, int payment) => $"{received.RequestId}:{received.Payments[payment].Asset}";

    /// <summary>The sequence of the liquidation's message to its account with id <paramref name="messageId"/> (its cancel-all, a fee or a cover); 0 for none.</summary>
    private static long AccountSequenceOf(Liquidation liquidation, string messageId)
    {
        if (messageId == CancelMessageId(liquidation.Id))
        {
            return liquidation.CancelSequence;
        }

        foreach (var @event in liquidation.Events)
        {
            switch (@event)
            {
                case LiquidationOrderReported { FeeSequence: > 0 } e when FeeMessageId(e) == messageId:
                    return e.FeeSequence;
                case LiquidationCoverReceived e:
                    for (var i = 0; i < e.Payments.Count; i++)
                    {
                        if (CoverMessageId(e, i) == messageId)
                        {
                            return e.FirstSequence + i;
                        }
                    }

                    break;
            }
        }

        return 0;
    }
}
