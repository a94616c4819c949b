using System.Globalization;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Decides commands against an account's state: pure (nothing is mutated; margin effects are computed on a copy) and
/// deterministic. Checks run in this order: the message envelope, deduplication (<see cref="MessageLedger"/>: a duplicate
/// is acknowledged even if its content would now be refused), the command's content, then its effect on margin.
/// </summary>
/// <remarks>
/// Executions, accepted orders and cancellations are facts from the venue: their shape is checked, never the
/// account's margin (the venue already traded; breaches are for the liquidation path). Withdrawals and margin mode
/// changes are requests: refused when, afterwards, equity would be below initial margin in the cross pool or in an
/// isolated position they touch; margin moved between the pool and an isolated position only when it also leaves the
/// pool or the position with less available than before (a top-up of a position in a margin call is refused only for
/// the pool's sake, never because it does not cure the position's call). A deposit or a deficit cover is never refused for margin;
/// cancelling all orders cancels whatever is open (none is no error: the coordinator retries it freely). A
/// <see cref="VoidSequence"/> only records its id and sequence (see there why it is not the rejection that records them).
/// </remarks>
public static class AccountDecider
{
    /// <summary>Decides <paramref name="command"/> for <paramref name="state"/> at <paramref name="market"/>.</summary>
    /// <param name="state">The account.</param>
    /// <param name="command">The command.</param>
    /// <param name="market">The market it is decided at.</param>
    /// <param name="margin">The margin models.</param>
    /// <param name="idConfirmedNew">
    /// True once the account's journal has been asked about the command's id, after a first decision was
    /// <see cref="DecisionOutcome.Unconfirmed"/> and the journal did not show it applied: a fingerprint match at a new
    /// sequence is then decided as new, and a message at an old sequence refused as out of order (also one whose id's
    /// fingerprint is remembered: it was another id's).
    /// </param>
    /// <param name="maxSequenceJump">How far beyond its source's highest applied sequence the command's may be (<see cref="AccountActorSettings.MaxSequenceJump"/>).</param>
    public static AccountDecision Decide(AccountState state, IAccountCommand command, MarketSnapshot market, AccountMarginModels margin, bool idConfirmedNew = false,
        long maxSequenceJump = MessageLedger.DefaultMaxJump)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(margin);
        if (string.IsNullOrWhiteSpace(command.MessageId) || string.IsNullOrWhiteSpace(command.Source) || command.Sequence < 1)
        {
            return AccountDecision.Reject(RejectionCode.InvalidMessage, Text(
                $"A message needs an id, a source and a sequence from 1 (id '{command.MessageId}', source '{command.Source}', sequence {command.Sequence})."));
        }

        var check = state.Messages.Check(command.MessageId, command.Source, command.Sequence, maxSequenceJump);
        if (check.Verdict == MessageVerdict.PossibleDuplicate)
        {
            if (!idConfirmedNew)
            {
                return AccountDecision.Unconfirmed;
            }

            check = check with { Verdict = MessageVerdict.Accepted };
        }

        if (command is OpenAccount && state.IsOpen && check.Verdict != MessageVerdict.Duplicate)
        {
            return AccountDecision.Reject(RejectionCode.AccountAlreadyOpen, $"Account {state.AccountId} is open already.");
        }

        if (command is not OpenAccount && !state.IsOpen)
        {
            return AccountDecision.Reject(RejectionCode.UnknownAccount, NotOpen(state));
        }

        switch (check.Verdict)
        {
            case MessageVerdict.Duplicate when !idConfirmedNew:
                // Its id is remembered: the caller compares it with the event recorded under the id (MessageLedger,
                // "Content") and answers a duplicate or a reused id; confirmed new, the fingerprint was another id's.
                return AccountDecision.Duplicate;
            case MessageVerdict.OutOfOrder when !idConfirmedNew && state.Messages.Count >= state.Messages.Capacity:
                // The id may have left a full window: a redelivery of an applied message (a coordinator re-sending
                // after its restart) is then told from a new message at an old sequence by the journal, so that it is
                // answered as the duplicate it is. Applied in neither case.
                return AccountDecision.Unconfirmed;
            case MessageVerdict.OutOfOrder or MessageVerdict.Duplicate:
                return AccountDecision.Reject(RejectionCode.OutOfOrder, Text(
                    $"Message {command.MessageId}: sequence {command.Sequence} from {command.Source} is at or below the highest applied, {check.HighestSequence}."));
            case MessageVerdict.TooFarAhead:
                return AccountDecision.Reject(RejectionCode.SequenceJump, Text(
                    $"Message {command.MessageId}: sequence {command.Sequence} from {command.Source} is {command.Sequence - check.HighestSequence} beyond the highest applied, {check.HighestSequence}; at most {maxSequenceJump} ahead is accepted (sequences count per source and account, from 1). Nothing was applied."));
        }

        var decision = command switch
        {
            OpenAccount c => UnofferedMode(c.Mode, margin) is { } unoffered
                ? unoffered
                : Accept(new AccountOpened(c.MessageId, c.Source, c.Sequence, c.Mode)),
            ApplyExecution c => DecideExecution(state, c, market),
            AcceptOrder c => DecideAcceptOrder(state, c, market),
            CancelOrder c => state.OpenOrders.ContainsKey(c.OrderId)
                ? Accept(new OrderCancelled(c.MessageId, c.Source, c.Sequence, c.OrderId))
                : AccountDecision.Reject(RejectionCode.UnknownOrder, $"Order {c.OrderId} is not open."),
            CancelAllOrders c => new AccountDecision(DecisionOutcome.Accepted,
                [.. state.OpenOrders.Keys.Select(IAccountEvent (id) => new OrderCancelled(c.MessageId, c.Source, c.Sequence, id)),
                    new AllOrdersCancelled(c.MessageId, c.Source, c.Sequence, state.OpenOrders.Count)], null, null),
            VoidSequence c => string.IsNullOrWhiteSpace(c.VoidedMessageId)
                ? AccountDecision.Reject(RejectionCode.InvalidMessage, $"Void {c.MessageId}: the voided message's id is required.")
                : Accept(new SequenceVoided(c.MessageId, c.Source, c.Sequence, c.VoidedMessageId)),
            CoverDeficit c => InvalidAmount(c.Asset, c.Amount, market) is { } invalid
                ? AccountDecision.Reject(invalid.Code, invalid.Message)
                : Accept(new DeficitCovered(c.MessageId, c.Source, c.Sequence, c.Asset, c.Amount)),
            ChargeLiquidationFee c => string.IsNullOrWhiteSpace(c.LiquidationId)
                ? AccountDecision.Reject(RejectionCode.InvalidMessage, $"Liquidation fee {c.MessageId}: the liquidation id is required.")
                : InvalidAmount(c.Asset, c.Amount, market) is { } invalidFee
                    ? AccountDecision.Reject(invalidFee.Code, invalidFee.Message)
                    : Accept(new LiquidationFeeCharged(c.MessageId, c.Source, c.Sequence, c.LiquidationId, c.Asset, c.Amount)),
            Deposit c => DecideDeposit(c, market),
            Withdraw c => DecideWithdraw(state, c, market, margin),
            SettleFunding c => DecideFunding(c, market),
            SettleExpiry c => DecideExpiry(state, c, market),
            ChangeMarginMode c => DecideMarginMode(state, c, market, margin),
            _ => AccountDecision.Reject(RejectionCode.InvalidMessage, $"Unknown command {command.GetType().Name}."),
        };
        if (decision.Outcome != DecisionOutcome.Accepted)
        {
            return decision;
        }

        // An accepted event is persisted before it is applied, so it must apply and leave an account that can be
        // margined: one that cannot (decimal overflow on absurd amounts) would stop the account at every recovery or
        // break every later assessment. Refuse it here instead.
        DecidedFigures after;
        AccountState copy;
        try
        {
            copy = state.WhatIf();
            var events = decision.Events;
            var instruments = InstrumentLookup.Of(market);
            for (var i = 0; i < events.Count; i++)
            {
                copy.Apply(events[i], instruments);
            }

            after = margin.Decided(copy, market);
        }
        catch (OverflowException)
        {
            return AccountDecision.Reject(RejectionCode.Overflow, $"Message {command.MessageId}: its amounts exceed what the account's ledger can hold.");
        }

        // Filled in, not copied: the decision was made just above and nobody holds it yet.
        return decision.Completed(check.Gap, after, copy, check, command.MessageId);
    }

    /// <summary>
    /// Checks a hypothetical order as if it filled in full at its price, on a copy of <paramref name="state"/>. Accepted
    /// when, after the fill, equity covers initial margin, or when the fill does not lower available margin (an order
    /// that reduces risk is never blocked, even in a margin call); an isolated position is held to the same rule on its own margin.
    /// </summary>
    public static PreTradeResult CheckPreTrade(AccountState state, CheckPreTrade command, MarketSnapshot market, AccountMarginModels margin)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(margin);
        if (!state.IsOpen)
        {
            return new PreTradeResult(false, new Rejection(RejectionCode.UnknownAccount, NotOpen(state)), 0m, 0m, 0m, 0m);
        }

        var before = margin.Figures(state, market);
        // Its fee is held to the bound its execution would be: a rebate beyond the notional would "afford" anything.
        var invalid = InvalidTrade(command.Symbol, command.Quantity, command.Price, market, closing: (state, command.Side))
                      ?? FeeBeyondNotional($"Order {command.MessageId}", command.Symbol, command.Quantity, command.Price, command.Fee, market);
        if (invalid is not null)
        {
            return new PreTradeResult(false, invalid, before.EquityUsd, before.InitialMarginUsd, before.AvailableMarginUsd, before.InitialMarginUsd);
        }

        var copy = state.WhatIf();
        MarginFigures after;
        try
        {
            // The hypothetical fill is applied under a source of its own on the copy; the real ledger never sees it.
            copy.Apply(
                new ExecutionApplied(command.MessageId, "pre-trade", 1, command.MessageId, command.MessageId, command.Symbol, command.Side,
                    command.Quantity, command.Price, command.Fee, Liquidity.Taker, market.ValuationTime, IsLiquidation: false),
                InstrumentLookup.Of(market));
            after = margin.Figures(copy, market);
        }
        catch (OverflowException)
        {
            var overflow = new Rejection(RejectionCode.Overflow, $"Order {command.MessageId}: its amounts exceed what the account's ledger can hold.");
            return new PreTradeResult(false, overflow, before.EquityUsd, before.InitialMarginUsd, before.AvailableMarginUsd, before.InitialMarginUsd);
        }

        Rejection? rejection = null;
        if (after.AvailableMarginUsd < 0 && after.AvailableMarginUsd < before.AvailableMarginUsd)
        {
            rejection = new Rejection(RejectionCode.WouldBreachMargin, Text(
                $"Order {command.Side} {command.Quantity} {command.Symbol} at {command.Price} would leave equity {Usd(after.EquityUsd)} below initial margin {Usd(after.InitialMarginUsd)} (now {Usd(before.InitialMarginUsd)})."));
        }
        else if (IsolatedBreach(before, after, command.Symbol) is { } isolated)
        {
            rejection = new Rejection(RejectionCode.WouldBreachMargin, Text(
                $"Order {command.Side} {command.Quantity} {command.Symbol} at {command.Price} would leave the isolated position's equity {Usd(isolated.EquityUsd)} below its initial margin {Usd(isolated.InitialMarginUsd)}."));
        }

        return new PreTradeResult(rejection is null, rejection, after.EquityUsd, after.InitialMarginUsd, after.AvailableMarginUsd, before.InitialMarginUsd);
    }

    private static AccountDecision DecideExecution(AccountState state, ApplyExecution c, MarketSnapshot market)
    {
        if (string.IsNullOrWhiteSpace(c.ExecutionId) || string.IsNullOrWhiteSpace(c.OrderId) || !Enum.IsDefined(c.Side) || !Enum.IsDefined(c.Liquidity))
        {
            return AccountDecision.Reject(RejectionCode.InvalidMessage, $"Execution {c.MessageId}: execution id, order id, side and liquidity are required.");
        }

        // A fill that closes the account's whole position is booked off the lot: a position off it (booked before lots were
        // enforced, or by a lot the market file has changed since) closes only so, by the venue's close-position order.
        if (InvalidTrade(c.Symbol, c.Quantity, c.Price, market, expiredToo: true, closing: (state, c.Side)) is { } invalid)
        {
            return AccountDecision.Reject(invalid.Code, invalid.Message);
        }

        if (FeeBeyondNotional($"Execution {c.MessageId}", c.Symbol, c.Quantity, c.Price, c.Fee, market) is { } fee)
        {
            return AccountDecision.Reject(fee.Code, fee.Message);
        }

        // Nothing trades at or after its expiry: a fill stamped then is refused whether or not the market has reached the
        // expiry yet (a venue clock ahead by months), so that the same message gets the same answer before and after it.
        var listed = market.FindInstrument(c.Symbol);
        if ((listed ?? market.FindExpired(c.Symbol)) is { Expiry: { } ends } && c.VenueTimestamp >= ends)
        {
            return AccountDecision.Reject(RejectionCode.InstrumentExpired, Text(
                $"Execution {c.MessageId}: {c.Symbol} expire{(listed is null ? "d" : "s")} at {ends:O}; the execution at {c.VenueTimestamp:O} is not before it."));
        }

        if (listed is null && market.FindExpired(c.Symbol) is { Expiry: { } expiry })
        {
            // A venue's last fills before an expiry can reach us after it: applied, the position awaits the settlement
            // like the rest. Not one arriving after the account's settlement, which paid for what it held then and will
            // not come again for the fill's part.
            if (state.WasSettled(c.Symbol))
            {
                if (c.SettlementPrice is not null)
                {
                    return SettledForm(state, c, market);
                }

                // The venue's price, where kept, is named: an operator rebooking the fill in its settled form needs it.
                var at = state.SettledAt(c.Symbol) is { } venue ? Text($" at {venue}") : "";
                return AccountDecision.Reject(RejectionCode.InstrumentExpired, Text(
                    $"Execution {c.MessageId}: {c.Symbol} expired at {expiry:O} and the account was settled for it already{at}; a fill arriving after its settlement cannot be settled."));
            }
        }

        if (c.SettlementPrice is not null)
        {
            // The settled form books cash only: applied to a position still held it would settle that too, at a price the
            // venue has not sent.
            return AccountDecision.Reject(RejectionCode.InvalidMessage, Text(
                $"Execution {c.MessageId}: a settlement price is only for a fill in an expired instrument the account was settled for, and the account was not settled for {c.Symbol}."));
        }

        if (c.ReducesPosition is { } expected)
        {
            // The side reduced is the one the sender saw: a fill on the same side as it would add, not reduce.
            if (expected == 0m || (expected > 0m) == (c.Side == OrderSide.Buy))
            {
                return AccountDecision.Reject(RejectionCode.InvalidMessage, Text(
                    $"Execution {c.MessageId}: a {c.Side} does not reduce the position {expected} {c.Symbol} it states."));
            }

            var held = state.Positions.TryGetValue(c.Symbol, out var position) ? position.Quantity : 0m;
            var heldOnSide = expected > 0m ? held : -held;
            if (heldOnSide < c.Quantity)
            {
                return AccountDecision.Reject(RejectionCode.PositionChanged, Text(
                    $"Execution {c.MessageId}: {c.Side} {c.Quantity} {c.Symbol} would reduce a position of {expected}, but the account holds {held}."));
            }
        }

        return Accept(Booked(c));
    }

    /// <summary>The execution as the fill it books.</summary>
    private static ExecutionApplied Booked(ApplyExecution c) =>
        new(c.MessageId, c.Source, c.Sequence, c.ExecutionId, c.OrderId, c.Symbol, c.Side, c.Quantity, c.Price, c.Fee, c.Liquidity, c.VenueTimestamp, c.IsLiquidation);

    /// <summary>
    /// An execution in an expired instrument the account was settled for, booked in its settled form (an operator's
    /// rebooking of an auto-deleverage reversal): its settlement price must be the one the venue settled the account at,
    /// then the fill is booked and settled at once, leaving only its cash.
    /// </summary>
    /// <remarks>
    /// Exactly that price: the fill undoes (or completes) a holding the settlement paid for at it, so only at it does the
    /// pair net; any other books the difference times the quantity to nobody. The index says nothing of it (days after
    /// the expiry it may be 20 % away, and a price near it may still be wrong). Only an account settled before the price
    /// was kept, restored from a snapshot of then, does not know it, and nothing else in the cluster records the venue's
    /// price (the instrument catalog holds none, the venue sends it to each account alone, the coordinator and the price
    /// actor never see it): there the operator must confirm the price as the venue's
    /// (<see cref="ApplyExecution.SettlementPriceConfirmed"/>), and it is checked as the venue's was
    /// (<see cref="DecideExpiry"/>), within 20 % of the index. Unconfirmed, a typo within 20 % booked money to nobody.
    /// </remarks>
    private static AccountDecision SettledForm(AccountState state, ApplyExecution c, MarketSnapshot market)
    {
        var price = c.SettlementPrice!.Value;
        if (state.SettledAt(c.Symbol) is { } venue)
        {
            if (price != venue)
            {
                return AccountDecision.Reject(RejectionCode.InvalidPrice, Text(
                    $"Execution {c.MessageId}: the venue settled this account for {c.Symbol} at {venue}; a fill in its settled form is settled at that price, not at {price}."));
            }
        }
        else if (!c.SettlementPriceConfirmed)
        {
            return AccountDecision.Reject(RejectionCode.InvalidPrice, Text(
                $"Execution {c.MessageId}: this account was settled for {c.Symbol} before settlement prices were kept, and nothing in the cluster records the venue's: ")
                + Text($"a fill in its settled form at {price} is booked only once an operator confirms that price as the venue's ")
                + "(confirmUnverified: cm liquidations rebook ID ROUND COUNTERPARTY --settlement-price P --confirm-unverified).");
        }
        else if (SettlementPriceRefused(c.Symbol, price, market.FindExpired(c.Symbol)!, market) is { } refused)
        {
            return AccountDecision.Reject(refused.Code, refused.Message);
        }

        return Accept(new SettledExecutionApplied(Booked(c), price));
    }

    /// <summary>Why <paramref name="price"/> cannot be <paramref name="symbol"/>'s settlement price: not positive, no index to check it against, or too far from the index.</summary>
    private static Rejection? SettlementPriceRefused(string symbol, decimal price, Instrument instrument, MarketSnapshot market)
    {
        // Checked before the holding, so that a wrong price is reported as such to every account the venue sends it to.
        if (price <= 0)
        {
            return new Rejection(RejectionCode.InvalidPrice, Text($"{symbol}: settlement price must be positive, not {price}."));
        }

        if (!market.HasPrice(instrument.Underlying) || !market.HasPrice(instrument.QuoteAsset))
        {
            return new Rejection(RejectionCode.InvalidPrice, Text(
                $"{symbol}: the market has no index of {instrument.Underlying} in {instrument.QuoteAsset} to check the settlement price {price} against."));
        }

        var index = ExpirySettlement.IndexPrice(instrument, market);
        return Math.Abs(price - index) > index * ExpirySettlement.MaxIndexDeviation
            ? new Rejection(RejectionCode.InvalidPrice, Text(
                $"{symbol}: settlement price {price} is more than {ExpirySettlement.MaxIndexDeviation * 100:0}% away from the index {index:0.########} {instrument.QuoteAsset}."))
            : null;
    }

    /// <summary>
    /// Refuses an execution whose fee, or rebate, is larger than the value the fill trades in its settlement asset: a
    /// future's notional (quantity x size x price, or quantity x size / price in coin for an inverse one), an option's
    /// underlying notional (its premium is less). Venues charge a fraction of a percent; a fee beyond the notional is a
    /// corrupt message, and applied it bankrupts the account (1,000,000 USDT on a 60,000 fill) and sets liquidation and
    /// auto-deleveraging on others, or credits money nobody paid. A bound that overflows is left to the overflow check.
    /// A pre-trade check's expected fee is held to the same bound.
    /// </summary>
    private static Rejection? FeeBeyondNotional(string what, string symbol, decimal quantity, decimal price, decimal fee, MarketSnapshot market)
    {
        if (fee == 0m || (market.FindInstrument(symbol) ?? market.FindExpired(symbol)) is not { } instrument)
        {
            return null;
        }

        decimal notional;
        try
        {
            notional = instrument switch
            {
                OptionContract when market.HasPrice(instrument.Underlying) && market.HasPrice(instrument.SettlementAsset) =>
                    quantity * instrument.ContractSize * market.PriceOf(instrument.Underlying) / market.PriceOf(instrument.SettlementAsset),
                OptionContract => decimal.MaxValue,
                _ when instrument.Settlement == SettlementKind.Inverse => quantity * instrument.ContractSize / price,
                _ => quantity * instrument.ContractSize * price,
            };
        }
        catch (OverflowException)
        {
            return null;
        }

        return Math.Abs(fee) <= notional
            ? null
            : new Rejection(RejectionCode.InvalidFee, Text(
                $"{what}: {(fee > 0 ? "fee" : "rebate")} {Math.Abs(fee)} {instrument.SettlementAsset} is more than the {notional:0.################} {instrument.SettlementAsset} the fill of {quantity} {symbol} at {price} trades. Nothing was applied."));
    }

    private static AccountDecision DecideAcceptOrder(AccountState state, AcceptOrder c, MarketSnapshot market)
    {
        if (string.IsNullOrWhiteSpace(c.OrderId) || !Enum.IsDefined(c.Side))
        {
            return AccountDecision.Reject(RejectionCode.InvalidMessage, $"Order message {c.MessageId}: order id and side are required.");
        }

        if (state.OpenOrders.ContainsKey(c.OrderId))
        {
            return AccountDecision.Reject(RejectionCode.DuplicateOrder, $"Order {c.OrderId} is open already.");
        }

        return InvalidTrade(c.Symbol, c.Quantity, c.LimitPrice, market, closing: (state, c.Side)) is { } invalid
            ? AccountDecision.Reject(invalid.Code, invalid.Message)
            : Accept(new OrderAccepted(c.MessageId, c.Source, c.Sequence, c.OrderId, c.Symbol, c.Side, c.Quantity, c.LimitPrice));
    }

    private static AccountDecision DecideDeposit(Deposit c, MarketSnapshot market) =>
        (InvalidAmount(c.Asset, c.Amount, market) ?? OffUnit($"Amount of {c.Asset}", c.Amount)) is { } invalid
            ? AccountDecision.Reject(invalid.Code, invalid.Message)
            : Accept(new Deposited(c.MessageId, c.Source, c.Sequence, c.Asset, c.Amount));

    private static AccountDecision DecideWithdraw(AccountState state, Withdraw c, MarketSnapshot market, AccountMarginModels margin)
    {
        var balance = state.BalanceOf(c.Asset);

        // Withdrawing exactly the whole balance leaves nothing off the unit, whatever the balance (a balance booked before
        // amounts were held to the unit must still empty; the insurance fund's account sweeps whole units only, as the fund
        // refuses a deposit off the unit).
        if ((InvalidAmount(c.Asset, c.Amount, market) ?? (c.Amount == balance ? null : OffUnit($"Amount of {c.Asset}", c.Amount))) is { } invalid)
        {
            return AccountDecision.Reject(invalid.Code, invalid.Message);
        }

        if (c.Amount > balance)
        {
            return AccountDecision.Reject(RejectionCode.InsufficientBalance, Text($"Withdrawal of {c.Amount} {c.Asset} exceeds the balance of {balance} {c.Asset}."));
        }

        var withdrawn = new Withdrawn(c.MessageId, c.Source, c.Sequence, c.Asset, c.Amount);
        var after = AssessAfter(state, withdrawn, market, margin);
        return after.EquityUsd < after.InitialMarginUsd
            ? AccountDecision.Reject(RejectionCode.WouldBreachMargin, Text(
                $"Withdrawal of {c.Amount} {c.Asset} would leave equity {Usd(after.EquityUsd)} below initial margin {Usd(after.InitialMarginUsd)}."))
            : Accept(withdrawn);
    }

    private static AccountDecision DecideFunding(SettleFunding c, MarketSnapshot market)
    {
        var instrument = market.FindInstrument(c.Symbol);
        if (instrument is null)
        {
            return AccountDecision.Reject(RejectionCode.UnknownInstrument, $"Instrument {c.Symbol} is not listed.");
        }

        if (instrument is not Perpetual)
        {
            return AccountDecision.Reject(RejectionCode.NotPerpetual, $"Funding applies to perpetuals only; {c.Symbol} is a {instrument.GetType().Name}.");
        }

        if (c.MarkPrice <= 0)
        {
            return AccountDecision.Reject(RejectionCode.InvalidPrice, Text($"{c.Symbol}: funding mark price must be positive, not {c.MarkPrice}."));
        }

        if (market.FindMark(c.Symbol) is { MarkPrice: > 0 } mark
            && Math.Abs(c.MarkPrice - mark.MarkPrice) > mark.MarkPrice * FundingPayment.MaxMarkDeviation)
        {
            return AccountDecision.Reject(RejectionCode.InvalidPrice, Text(
                $"{c.Symbol}: funding mark price {c.MarkPrice} is more than {FundingPayment.MaxMarkDeviation * 100:0}% away from the mark {mark.MarkPrice}."));
        }

        return Math.Abs(c.Rate) > FundingPayment.MaxAbsoluteRate
            ? AccountDecision.Reject(RejectionCode.InvalidRate, Text($"{c.Symbol}: funding rate {c.Rate} is beyond +/-{FundingPayment.MaxAbsoluteRate} per settlement."))
            : Accept(new FundingSettled(c.MessageId, c.Source, c.Sequence, c.Symbol, c.Rate, c.MarkPrice, c.PositionQuantity));
    }

    private static AccountDecision DecideExpiry(AccountState state, SettleExpiry c, MarketSnapshot market)
    {
        if (string.IsNullOrWhiteSpace(c.Symbol))
        {
            return AccountDecision.Reject(RejectionCode.InvalidMessage, $"Settlement {c.MessageId}: the symbol is required.");
        }

        var instrument = market.FindExpired(c.Symbol);
        if (instrument is null)
        {
            return market.FindInstrument(c.Symbol) is { } listed
                ? AccountDecision.Reject(RejectionCode.NotExpired, listed.Expiry is { } expiry
                    ? Text($"{c.Symbol} expires at {expiry:O}; the market is at {market.ValuationTime:O}. Nothing was settled.")
                    : $"{c.Symbol} is a perpetual: it never expires, so it never settles.")
                : AccountDecision.Reject(RejectionCode.UnknownInstrument, $"Instrument {c.Symbol} is neither listed nor expired.");
        }

        if (SettlementPriceRefused(c.Symbol, c.SettlementPrice, instrument, market) is { } refused)
        {
            return AccountDecision.Reject(refused.Code, refused.Message);
        }

        // A second settlement under a new id finds nothing left: refused, not applied as a silent no-op, so that a venue
        // settling twice (or at two prices) hears of it.
        return state.Positions.ContainsKey(c.Symbol) || state.OpenOrders.Values.Any(o => string.Equals(o.Symbol, c.Symbol, StringComparison.Ordinal))
            ? Accept(new ExpirySettled(c.MessageId, c.Source, c.Sequence, c.Symbol, c.SettlementPrice))
            : AccountDecision.Reject(RejectionCode.UnknownPosition, $"The account holds no position and no order in {c.Symbol}: nothing to settle.");
    }

    private static AccountDecision DecideMarginMode(AccountState state, ChangeMarginMode c, MarketSnapshot market, AccountMarginModels margin)
    {
        if (c.Symbol is null)
        {
            if (UnofferedMode(c.Mode, margin) is { } unoffered)
            {
                return unoffered;
            }

            var changed = new MarginModeChanged(c.MessageId, c.Source, c.Sequence, c.Mode, null, null);
            var after = AssessAfter(state, changed, market, margin);
            return after.EquityUsd < after.InitialMarginUsd
                ? AccountDecision.Reject(RejectionCode.WouldBreachMargin, Text(
                    $"Switching to {c.Mode} would leave equity {Usd(after.EquityUsd)} below initial margin {Usd(after.InitialMarginUsd)}."))
                : Accept(changed);
        }

        var instrument = market.FindInstrument(c.Symbol);
        if (instrument is null)
        {
            return AccountDecision.Reject(RejectionCode.UnknownInstrument, $"Instrument {c.Symbol} is not listed.");
        }

        if (!state.Positions.TryGetValue(c.Symbol, out var position))
        {
            return AccountDecision.Reject(RejectionCode.UnknownPosition, $"The account holds no position in {c.Symbol}.");
        }

        if (c.IsolatedMargin is < 0)
        {
            return AccountDecision.Reject(RejectionCode.InvalidAmount, Text($"Isolated margin of {c.Symbol} must not be negative, not {c.IsolatedMargin}."));
        }

        if (c.IsolatedMargin is { } isolatedMargin && OffUnit($"Isolated margin of {c.Symbol}", isolatedMargin) is { } offUnit)
        {
            return AccountDecision.Reject(offUnit.Code, offUnit.Message);
        }

        var asset = instrument.SettlementAsset;
        var needed = (c.IsolatedMargin ?? 0m) - (position.IsolatedMargin ?? 0m);
        var balance = state.BalanceOf(asset);
        if (needed > 0 && needed > balance)
        {
            return AccountDecision.Reject(RejectionCode.InsufficientBalance, Text(
                $"Isolating {c.Symbol} needs {needed} {asset} more, but the balance is {balance} {asset}."));
        }

        // Margin moved between the pool and the position is refused only when it leaves one of them short of initial margin
        // and worse off than before: topping up a position (or returning margin to a pool) in a margin call lowers risk,
        // and refusing it because one move does not cure the whole call would leave the account nearer liquidation.
        var isolation = new MarginModeChanged(c.MessageId, c.Source, c.Sequence, state.Mode, c.Symbol, c.IsolatedMargin);
        var before = margin.Figures(state, market);
        var result = AssessAfter(state, isolation, market, margin);
        if (result.EquityUsd < result.InitialMarginUsd && result.AvailableMarginUsd < before.AvailableMarginUsd)
        {
            return AccountDecision.Reject(RejectionCode.WouldBreachMargin, Text(
                $"Changing the margin of {c.Symbol} would leave cross equity {Usd(result.EquityUsd)} below initial margin {Usd(result.InitialMarginUsd)}."));
        }

        return IsolatedBreach(before, result, c.Symbol) is { } isolated
            ? AccountDecision.Reject(RejectionCode.WouldBreachMargin, Text(
                $"Isolating {c.Symbol} with {c.IsolatedMargin} {asset} would leave its equity {Usd(isolated.EquityUsd)} below its initial margin {Usd(isolated.InitialMarginUsd)}."))
            : Accept(isolation);
    }

    /// <summary>
    /// Refuses a mode the engine cannot margin with: an account opened or switched into it could never be assessed
    /// again, and every later message (and every recovery) would fail on it.
    /// </summary>
    private static AccountDecision? UnofferedMode(MarginMode mode, AccountMarginModels margin)
    {
        if (!Enum.IsDefined(mode))
        {
            return AccountDecision.Reject(RejectionCode.InvalidMessage, Text($"Unknown margin mode {mode}."));
        }

        return margin.Offers(mode)
            ? null
            : AccountDecision.Reject(RejectionCode.InvalidMessage, Text(
                $"Margin mode {mode} is not configured on this engine (configured: {string.Join(", ", margin.Modes)})."));
    }

    private static MarginFigures AssessAfter(AccountState state, IAccountEvent @event, MarketSnapshot market, AccountMarginModels margin)
    {
        var copy = state.WhatIf();
        copy.Apply(@event, InstrumentLookup.Of(market));
        return margin.Figures(copy, market);
    }

    private static IsolatedPositionMargin? IsolatedBreach(MarginFigures before, MarginFigures after, string symbol)
    {
        var now = after.Isolated.FirstOrDefault(i => i.Symbol == symbol);
        if (now is null || now.EquityUsd >= now.InitialMarginUsd)
        {
            return null;
        }

        var then = before.Isolated.FirstOrDefault(i => i.Symbol == symbol);
        return then is not null && now.EquityUsd - now.InitialMarginUsd >= then.EquityUsd - then.InitialMarginUsd ? null : now;
    }

    /// <summary>
    /// Why an order or a fill of <paramref name="quantity"/> at <paramref name="price"/> in <paramref name="symbol"/> is
    /// refused, or null: an unknown instrument, a quantity or price not positive, or not a whole number of the
    /// instrument's lots or ticks. An expired instrument is refused <see cref="RejectionCode.InstrumentExpired"/>, unless
    /// <paramref name="expiredToo"/> (a fill, which the caller checks against the expiry and the settlement). The quantity of
    /// one that closes the <paramref name="closing"/> account's whole position exactly (a fill of that side) is not held to
    /// the lot; looked at only when it is off the lot, so the usual decision reads no position for it.
    /// </summary>
    private static Rejection? InvalidTrade(string symbol, decimal quantity, decimal price, MarketSnapshot market, bool expiredToo = false,
        (AccountState State, OrderSide Side)? closing = null)
    {
        if (string.IsNullOrWhiteSpace(symbol))
        {
            return new Rejection(RejectionCode.UnknownInstrument, $"Instrument {symbol} is not listed.");
        }

        var instrument = market.FindInstrument(symbol);
        if (instrument is null)
        {
            if (market.FindExpired(symbol) is not { } expired)
            {
                return new Rejection(RejectionCode.UnknownInstrument, $"Instrument {symbol} is not listed.");
            }

            if (!expiredToo)
            {
                return new Rejection(RejectionCode.InstrumentExpired, Text($"{symbol} expired at {expired.Expiry:O}: it no longer trades."));
            }

            instrument = expired;
        }

        if (quantity <= 0)
        {
            return new Rejection(RejectionCode.InvalidQuantity, Text($"{symbol}: quantity must be positive, not {quantity}."));
        }

        if (price <= 0)
        {
            return new Rejection(RejectionCode.InvalidPrice, Text($"{symbol}: price must be positive, not {price}."));
        }

        // A matching engine trades whole ticks and lots only: anything else is a corrupt message (or another venue's
        // terms), and booked it moves balances by amounts nobody traded.
        if (!instrument.IsOnLot(quantity) && !(closing is { } c && ClosesWholePosition(c.State, symbol, c.Side, quantity)))
        {
            return new Rejection(RejectionCode.QuantityOffLot, Text($"{symbol}: quantity {quantity} is not a whole number of its lots of {instrument.LotSize}."));
        }

        return instrument.IsOnTick(price)
            ? null
            : new Rejection(RejectionCode.PriceOffTick, Text($"{symbol}: price {price} is not a whole number of its ticks of {instrument.TickSize}."));
    }

    /// <summary>True when a fill of <paramref name="side"/> <paramref name="quantity"/> takes the account's position in <paramref name="symbol"/> to exactly zero.</summary>
    private static bool ClosesWholePosition(AccountState state, string symbol, OrderSide side, decimal quantity) =>
        state.Positions.TryGetValue(symbol, out var position) && position.Quantity != 0m
        && position.Quantity == (side == OrderSide.Sell ? quantity : -quantity);

    private static Rejection? InvalidAmount(string asset, decimal amount, MarketSnapshot market)
    {
        if (string.IsNullOrWhiteSpace(asset) || !market.HasPrice(asset))
        {
            return new Rejection(RejectionCode.UnknownAsset, $"Asset {asset} is not priced by the market.");
        }

        return amount <= 0 ? new Rejection(RejectionCode.InvalidAmount, Text($"Amount of {asset} must be positive, not {amount}.")) : null;
    }

    /// <summary>
    /// Refuses an amount the venue asks to move that is not a whole number of <see cref="LedgerRounding.Unit"/>: balances
    /// are kept in those units (every booking is rounded to them), and one finer amount would leave a balance in a digit
    /// the venue's wallet does not have. Covers and fees the liquidation coordinator computes are its own to round. The
    /// insurance fund holds an operator's deposits to the same unit: it pays covers into accounts from them.
    /// </summary>
    internal static Rejection? OffUnit(string what, decimal amount) =>
        decimal.Round(amount, LedgerRounding.Decimals) == amount
            ? null
            : new Rejection(RejectionCode.InvalidAmount, Text(
                $"{what} must be in whole units of {LedgerRounding.Unit} (at most {LedgerRounding.Decimals} decimals), not {amount}."));

    private static AccountDecision Accept(IAccountEvent @event) => AccountDecision.Accept(@event, null);

    private static string Usd(decimal value) => value.ToString("N2", CultureInfo.InvariantCulture) + " USD";

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string NotOpen(AccountState state) => $"Account {state.AccountId} is not open; an accountOpened message opens it.";
}
