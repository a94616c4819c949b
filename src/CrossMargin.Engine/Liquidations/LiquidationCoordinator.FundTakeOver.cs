using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The insurance fund taking a position over when an auto-deleverage round finds no counterparty, and the unwind of its
/// own account through the book, whose gains and losses land in the fund.
/// </summary>
/// <remarks>
/// <para>The take-over is an auto-deleverage round whose one counterparty is the fund's account
/// (<see cref="LiquidationCoordinatorSettings.FundAccountId"/>, <see cref="AdlExecution.ByFund"/>): both sides in one
/// <see cref="AutoDeleverageExecuted"/>, sent, answered, voided and re-sent after a restart as every round's are. It is
/// taken only when the take-over's loss at the mark (negative for a solvent account's, which gives its equity away) is
/// no more than the fund's value less what other liquidations have set aside (bounded steps, pending covers), and while
/// the fund's account is in no liquidation of its own: its unwind's fills and covers would otherwise count on the same
/// value. Otherwise the round reaches the opposite positions not in profit (<see cref="DeleverageAtALoss"/>), and stalls
/// only when none bears any of it.</para>
/// <para>The unwind is a liquidation of the fund's account (<see cref="LiquidationStarted.TakeOverOf"/> names the
/// take-over), journaled in one batch with it (a restart finds both or neither): closed until flat without a fee (<see cref="LiquidationParameters.ForUnwind"/>),
/// never taken over; a deficit is covered by the fund as any account's is; collateral left when flat is moved into the
/// fund (<see cref="FundAccountSwept"/>). Any liquidation of the fund's account is such an unwind.</para>
/// </remarks>
public sealed partial class LiquidationCoordinator
{
    /// <summary>The source of the coordinator's opening of the fund's account.</summary>
    public const string FundSource = "fund";

    private readonly Dictionary<string, (Liquidation Liquidation, InsuranceFundPayment Amount, long Sequence)> _sweepWithdrawals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Liquidation> _sweepDeposits = new(StringComparer.Ordinal);
    private bool _fundAccountOpen;

    private string FundOpenMessageId => $"{_settings.FundAccountId}:open";

    private bool IsUnwind(Liquidation liquidation) => liquidation.AccountId == _settings.FundAccountId;

    /// <summary>
    /// Opens the fund's account (a duplicate once it is open) when a take-over first needs it, not when the coordinator
    /// starts: on a cluster a start message would reach a shard its owner may be handing over. The take-over waits for the
    /// answer (or its timeout, then it stalls).
    /// </summary>
    private void OpenFundAccount()
    {
        if (_settings.FundAccountId is { } fund && !_fundAccountOpen)
        {
            ToAccount(fund, new OpenAccount(FundOpenMessageId, FundSource, 1));
        }
    }

    private bool OnFundAccountOpenAnswer(object answer)
    {
        switch (answer)
        {
            case CommandAccepted accepted when accepted.MessageId == FundOpenMessageId:
            case CommandDuplicate duplicate when duplicate.MessageId == FundOpenMessageId:
            case CommandRejected { Rejection.Code: RejectionCode.AccountAlreadyOpen } opened when opened.MessageId == FundOpenMessageId:
                if (!_fundAccountOpen && _liquidations.Any(l => l.Phase == Phase.AwaitingTakeOver))
                {
                    _settings.InsuranceFund.Tell(GetInsuranceFund.Instance, Self);
                }

                _fundAccountOpen = true;
                return true;
            case CommandRejected rejected when rejected.MessageId == FundOpenMessageId:
                Context.Log.LogError("The insurance fund's account {AccountId} could not be opened: {Code} {Reason}; the fund takes no position over",
                    _settings.FundAccountId, rejected.Rejection.Code, rejected.Rejection.Message);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Why the fund cannot take this liquidation's position over now; null when it may be asked.</summary>
    private string? NoTakeOver(Liquidation liquidation) =>
        _settings.FundAccountId is not { } fund ? "the fund has no account"
        : IsUnwind(liquidation) ? "the fund's own account"
        : _activeByAccount.ContainsKey(fund) ? "the fund's account is still unwinding"
        : null;

    /// <summary>No counterparty in profit: the fund is asked for its value, to take the position over if it bears it.</summary>
    private void OfferToFund(Liquidation liquidation)
    {
        if (NoTakeOver(liquidation) is { } why)
        {
            DeleverageAtALoss(liquidation, Text($"no take-over by the fund: {why}"));
            return;
        }

        liquidation.Phase = Phase.AwaitingTakeOver;
        if (_fundAccountOpen)
        {
            _settings.InsuranceFund.Tell(GetInsuranceFund.Instance, Self);
        }
        else
        {
            // The fund is asked once the account has answered (OnFundAccountOpenAnswer).
            OpenFundAccount();
        }

        Timers.StartSingleTimer(("view", liquidation.Id), new ViewTimedOut(liquidation.Id, Phase.AwaitingTakeOver), _settings.OrderTimeout);
    }

    /// <summary>
    /// The fund does not take the position over (<paramref name="why"/>): the last resort is the round allocated again
    /// from the same views, reaching the opposite positions not in profit too, each cut to what its equity bears; only
    /// when none bears any of it does the round stall. Not in the same round as the profitable ones, before the fund is
    /// asked: the order puts the fund before anyone's position is closed at a loss, and closing a losing trader
    /// out at a price past the mark is what the fund exists to spare them.
    /// </summary>
    private void DeleverageAtALoss(Liquidation liquidation, string why)
    {
        Context.Log.LogWarning("Liquidation {LiquidationId}: no counterparty in profit and {Why}; deleveraging against opposite positions not in profit",
            liquidation.Id, why);
        liquidation.FundDeclined = why;
        liquidation.Phase = Phase.PricingAdl;
        Allocate(liquidation);
    }

    /// <summary>The fund's free value is known: the take-over is journaled with the unwind it starts, or the last resort is tried.</summary>
    private void TakeOver(Liquidation liquidation, decimal freeUsd)
    {
        Timers.Cancel(("view", liquidation.Id));
        var (position, price) = liquidation.AdlTarget!.Value;
        var symbol = position.Symbol;
        var market = _settings.Market.Current;
        var instrument = market.GetInstrument(symbol);
        var side = position.Quantity > 0 ? OrderSide.Buy : OrderSide.Sell;
        var quantity = Math.Abs(position.Quantity);
        var lossUsd = LiquidationSlippage.LossUsd(instrument, side, quantity, market.MarkOf(symbol).MarkPrice, price, market.PriceOf(instrument.SettlementAsset));
        if (NoTakeOver(liquidation) is { } why)
        {
            DeleverageAtALoss(liquidation, Text($"no take-over by the fund: {why}"));
            return;
        }

        if (lossUsd > freeUsd)
        {
            DeleverageAtALoss(liquidation, Text($"the fund's free value {freeUsd} USD does not bear the take-over's loss of {lossUsd} USD at the mark"));
            return;
        }

        liquidation.EndRound();
        var fund = _settings.FundAccountId!;
        var fill = new AdlExecution(fund, side, quantity, price, 0m, NextSequence(fund, AdlSource), NextSequence(liquidation.AccountId, AdlSource),
            BankruptPosition: position.Quantity, ByFund: true);
        var executed = new AutoDeleverageExecuted(liquidation.Id, liquidation.AdlRounds + 1, liquidation.AccountId, symbol, price, [fill], Now);
        Context.Log.LogWarning("Liquidation {LiquidationId}: no counterparty in profit; the insurance fund takes {Quantity} {Symbol} over at {Price} "
            + "(loss {Loss} USD at the mark, free value {Free} USD)", liquidation.Id, quantity, symbol, price, lossUsd, freeUsd);
        // One command, one atomic batch: a take-over is never journaled without the unwind it starts.
        Persist(executed, e =>
        {
            Apply(e);
            SendOutbound(liquidation, e);
            EngineMetrics.AdlFills.Add(e.Fills.Count);
            EvaluateOnceApplied(liquidation);
        });
        StartUnwind($"{executed.LiquidationId}:adl-{executed.Round}", -lossUsd);
    }

    /// <summary>Starts the unwind of the fund's account for the take-over <paramref name="takeOver"/>.</summary>
    private void StartUnwind(string takeOver, decimal equityUsd)
    {
        var fund = _settings.FundAccountId!;
        var n = _countByAccount.GetValueOrDefault(fund) + 1;
        var started = new LiquidationStarted(LiquidationOrderIds.Liquidation(fund, n), fund, MarginStatus.Liquidation, equityUsd, 0m, NextSequence(fund, LiquidationSource), Now,
            takeOver);
        Persist(started, e =>
        {
            Apply(e);
            EngineMetrics.LiquidationsStarted.Add(1);
            Context.Log.LogInformation("Liquidation {LiquidationId}: unwinding the insurance fund's account after take-over {TakeOver}", e.LiquidationId, takeOver);
            var unwind = _byId[e.LiquidationId];
            SendOutbound(unwind, e);
            Evaluate(unwind);
        });
    }

    /// <summary>The unwind is flat: collateral left is moved into the fund, or the unwind completes.</summary>
    private void FinishUnwind(Liquidation liquidation, AccountView view, string reason)
    {
        var market = _settings.Market.Current;
        // Whole units of the ledger only: the fund refuses a deposit off the unit, and the account's withdrawal of its whole
        // balance would pass off it (a balance booked before amounts were held to the unit), so the amount would leave the
        // account and never reach the fund. A residue below the unit stays in the account.
        var left = view.Balances.Where(b => market.HasPrice(b.Asset))
            .Select(b => b with { Amount = decimal.Round(b.Amount, LedgerRounding.Decimals, MidpointRounding.ToNegativeInfinity) })
            .Where(b => b.Amount > 0).ToArray();
        if (liquidation.Swept || left.Length == 0)
        {
            Complete(liquidation, reason);
            return;
        }

        var swept = new FundAccountSwept(liquidation.Id, left.Select(b => new InsuranceFundPayment(b.Asset, b.Amount, b.Amount * market.PriceOf(b.Asset))).ToArray(),
            NextSequence(liquidation.AccountId, LiquidationSource), Now);
        Persist(swept, e =>
        {
            Apply(e);
            SendOutbound(liquidation, e);
        });
    }

    private void SendSweep(Liquidation liquidation, FundAccountSwept swept)
    {
        liquidation.Phase = Phase.Sweeping;
        for (var i = 0; i < swept.Amounts.Count; i++)
        {
            var amount = swept.Amounts[i];
            var id = swept.MessageId(amount.Asset);
            _sweepWithdrawals[id] = (liquidation, amount, swept.FirstSequence + i);
            ToAccount(liquidation.AccountId, new Withdraw(id, LiquidationSource, swept.FirstSequence + i, amount.Asset, amount.Amount));
        }
    }

    /// <summary>A withdrawal of a sweep answered: applied, its amount goes into the fund; refused, it stays in the account.</summary>
    private bool OnSweepAnswer(object answer)
    {
        var (id, applied) = answer switch
        {
            CommandAccepted a => (a.MessageId, true),
            CommandDuplicate d => (d.MessageId, true),
            CommandRejected r => (r.MessageId, false),
            _ => (string.Empty, false),
        };
        if (!_sweepWithdrawals.Remove(id, out var sweep))
        {
            return false;
        }

        if (applied)
        {
            _sweepDeposits[id] = sweep.Liquidation;
            _settings.InsuranceFund.Tell(new DepositToInsuranceFund(id, sweep.Amount.Asset, sweep.Amount.Amount), Self);
        }
        else
        {
            var rejection = ((CommandRejected)answer).Rejection;
            Context.Log.LogError("Liquidation {LiquidationId}: the fund's account refused withdrawal {MessageId}: {Code} {Reason}; it stays in the account",
                sweep.Liquidation.Id, id, rejection.Code, rejection.Message);
            _refusedSequences.Add((sweep.Liquidation.AccountId, sweep.Sequence));
            SweepAnswered(sweep.Liquidation);
        }

        return true;
    }

    private bool OnSweepDeposited(string requestId)
    {
        if (!_sweepDeposits.Remove(requestId, out var liquidation))
        {
            return false;
        }

        SweepAnswered(liquidation);
        return true;
    }

    private void SweepAnswered(Liquidation liquidation)
    {
        if (liquidation.Phase == Phase.Sweeping && !_sweepWithdrawals.Values.Any(s => s.Liquidation == liquidation)
            && !_sweepDeposits.Values.Any(l => l == liquidation))
        {
            Evaluate(liquidation);
        }
    }
}
