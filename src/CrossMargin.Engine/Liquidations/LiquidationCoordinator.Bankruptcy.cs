using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;
using Microsoft.Extensions.Logging;
using ActorProps = CrossMargin.Actors.Props;

namespace CrossMargin.Engine.Liquidations;

/// <summary>A bankrupt account's backstop: the insurance fund's cover, then an auto-deleverage round priced and allocated from fresh views.</summary>
public sealed partial class LiquidationCoordinator
{
    /// <summary>How many times in a row a round's views are collected again when none came from another account.</summary>
    private const int MaxEmptyAdlCollections = 3;

    // ---- bankruptcy: insurance fund, then auto-deleveraging -------------------------------------------------------

    private void RequestCover(Liquidation liquidation, decimal deficitUsd)
    {
        var requested = new LiquidationCoverRequested(liquidation.Id, $"{liquidation.Id}:cover-{liquidation.Covers + 1}", deficitUsd, Now);
        Persist(requested, e =>
        {
            Apply(e);
            AskFund(liquidation, e.DeficitUsd);
        });
    }

    /// <summary>
    /// Sends the pending cover request for <paramref name="deficitUsd"/>, paid in what the account's collateral rules
    /// count best given its balances, and sends it again (measured anew) if no answer comes in time.
    /// </summary>
    private void AskFund(Liquidation liquidation, decimal deficitUsd)
    {
        liquidation.Phase = Phase.AwaitingCover;
        _settings.InsuranceFund.Tell(new CoverLiquidationDeficit(liquidation.PendingCover!, liquidation.Id, liquidation.AccountId, deficitUsd,
            _settings.Models.For(liquidation.Mode ?? MarginMode.StandardCross).Collateral, liquidation.Balances), Self);
        Timers.StartSingleTimer(("view", liquidation.Id), new ViewTimedOut(liquidation.Id, Phase.AwaitingCover), _settings.OrderTimeout);
    }

    /// <summary>
    /// A cover request not answered (before a restart, or in time) may never have reached the fund, which would pay it as
    /// sent: the deficit recorded, though the market may since have made it smaller or made the account solvent. A
    /// fresh view measures it first (<see cref="AskFundAgain"/>).
    /// </summary>
    private void MeasureCover(Liquidation liquidation)
    {
        liquidation.Phase = Phase.MeasuringCover;
        RequestView(liquidation);
    }

    /// <summary>
    /// Sends the pending request again under its id, for the deficit recorded or the one <paramref name="view"/> shows,
    /// whichever is smaller (none while a position's instrument is halted, or the account cannot be valued). The fund
    /// answers an id it has answered with its first answer, so a cover is paid once, and one it never had is paid no
    /// more than the account now lacks.
    /// </summary>
    private void AskFundAgain(Liquidation liquidation, AccountView view)
    {
        var market = _settings.Market.Current;
        decimal deficit;
        try
        {
            deficit = view.Positions.Any(p => p.Quantity != 0 && Paused(p.Symbol))
                ? 0m
                : Math.Max(0m, -_settings.Models.For(view.Mode).Assess(new Portfolio(view.AccountId, view.Balances, view.Positions, []), market).EquityUsd);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            Context.Log.LogWarning(e, "Liquidation {LiquidationId}: cannot value {AccountId} at the market of {ValuationTime}; asking the fund again for nothing",
                liquidation.Id, liquidation.AccountId, market.ValuationTime);
            deficit = 0m;
        }

        liquidation.Mode = view.Mode;
        liquidation.Balances = view.Balances;
        AskFund(liquidation, Math.Min(liquidation.PendingCoverUsd, deficit));
    }

    private void OnCover(LiquidationDeficitCovered covered)
    {
        // An answer that comes while the deficit is measured again is dropped: the view asked for would otherwise be read
        // after the cover, as if it showed it (the account gets the cover after that view), and a full cover planned from
        // it would be asked for again. The request sent again once the view is in gets the same answer.
        if (!_byId.TryGetValue(covered.LiquidationId, out var liquidation) || liquidation.Phase != Phase.AwaitingCover
            || liquidation.PendingCover != covered.RequestId)
        {
            return;
        }

        Timers.Cancel(("view", liquidation.Id));

        var received = new LiquidationCoverReceived(liquidation.Id, covered.RequestId, covered.CoveredUsd, covered.UncoveredUsd, covered.Payments,
            NextSequence(liquidation.AccountId, LiquidationSource), Now);
        Persist(received, e =>
        {
            Apply(e);
            SendOutbound(liquidation, e);
            if (e.UncoveredUsd == 0)
            {
                Evaluate(liquidation);
            }
            else if (liquidation.PositionCount == 0)
            {
                Complete(liquidation, Text($"bankrupt with no position left: the fund covered {e.CoveredUsd} USD, {e.UncoveredUsd} USD uncovered"));
            }
            else
            {
                // A fresh view (after the covers, same sender, same order) prices the bankrupt position.
                liquidation.Phase = Phase.AwaitingAdlView;
                liquidation.LastCover = e;
                RequestView(liquidation);
            }
        });
    }

    private void StartAdl(Liquidation liquidation, AccountView view)
    {
        var market = _settings.Market.Current;
        if (HoldsUnsettledExpiry(liquidation, view, market))
        {
            return;
        }

        var portfolio = new Portfolio(view.AccountId, view.Balances, view.Positions, []);
        // Auto-deleveraging passes on whole lots only: a position less than one lot (off the lot) is left to the book's
        // close-position order, and one larger passes on its part on the lot (OnLot).
        var open = view.Positions.Where(p => p.Quantity != 0 && !Paused(p.Symbol) && !liquidation.AdlHeld.ContainsKey(p.Symbol)).ToArray();
        var position = open.Select(p => OnLot(p, market)).OfType<Position>()
            .OrderByDescending(p => PositionValuation.Of(p, market).NotionalUsd)
            .ThenBy(p => p.Symbol, StringComparer.Ordinal)
            .FirstOrDefault();
        decimal? price = position is null ? null : AdlPrice(liquidation, portfolio, view.Mode, position.Symbol, market, logs: false);
        liquidation.AdlForDeficit = liquidation.Phase == Phase.AwaitingAdlView;
        if (position is null || price is null)
        {
            Stall(liquidation, position is not null ? Text($"{position.Symbol} has no bankruptcy price") : NothingToDeleverage(liquidation, open, market),
                liquidation.LastCover);
            return;
        }

        if (DeficitGone(liquidation, position, price.Value, market))
        {
            return;
        }

        liquidation.Phase = Phase.CollectingAdl;
        liquidation.AdlTarget = (position, price.Value);
        liquidation.EmptyAdlCollections = 0;
        CollectAdlViews(liquidation, market.GetInstrument(position.Symbol).Underlying);
    }

    /// <summary>
    /// Why a bankrupt account has no position to auto-deleverage: those in halted instruments and on silent underlyings
    /// are left out, so are the instruments the liquidation holds (each with its hold's reason), and those of
    /// <paramref name="open"/> (the rest) under one lot are named with their quantity and lot: nothing of them can be
    /// passed on as whole lots, only the book's close-position orders close them. An operator reading only "no position
    /// left" of an account that shows positions could not tell what to do.
    /// </summary>
    private static string NothingToDeleverage(Liquidation liquidation, IEnumerable<Position> open, Risk.Market.MarketSnapshot market)
    {
        var reason = liquidation.AdlHeld.Count == 0 ? "no position left to deleverage outside halted instruments and silent underlyings"
            : "no position left to deleverage outside halted instruments, silent underlyings and " + string.Join("; ", liquidation.AdlHeld.Values);
        var underOneLot = open.OrderBy(p => p.Symbol, StringComparer.Ordinal)
            .Select(p => (market.FindInstrument(p.Symbol) ?? market.FindExpired(p.Symbol)) is { } instrument ? Text($"{p.Symbol} {p.Quantity} (lot {instrument.LotSize})") : null)
            .OfType<string>()
            .ToArray();
        return underOneLot.Length == 0 ? reason
            : reason + "; under one lot, which auto-deleveraging cannot pass on (the book's close-position orders close them): " + string.Join(", ", underOneLot);
    }

    /// <summary>
    /// The part of <paramref name="position"/> auto-deleveraging may pass on: its whole lots (all of it, when on the lot);
    /// null when it is less than one lot. A side off the lot would be refused by its counterparty (<c>quantityOffLot</c>),
    /// the round voided and priced again for ever; the remainder closes through the book's close-position order.
    /// </summary>
    private static Position? OnLot(Position position, Risk.Market.MarketSnapshot market)
    {
        if ((market.FindInstrument(position.Symbol) ?? market.FindExpired(position.Symbol)) is not { } instrument || instrument.IsOnLot(position.Quantity))
        {
            return position;
        }

        var lots = instrument.WholeLotsOf(Math.Abs(position.Quantity));
        return lots == 0 ? null : position with { Quantity = Math.Sign(position.Quantity) * lots };
    }

    private void CollectAdlViews(Liquidation liquidation, string underlying)
    {
        var topics = new HashSet<string>(StringComparer.Ordinal) { underlying };
        Context.ActorOf(ActorProps.Create(() => new AdlCollector(liquidation.Id, _settings.Accounts, topics, _settings.AdlCollectWindow)));
    }

    private void OnAdlViews(AdlViewsCollected collected)
    {
        if (!_byId.TryGetValue(collected.LiquidationId, out var liquidation) || liquidation.Phase != Phase.CollectingAdl || liquidation.AdlTarget is null)
        {
            return;
        }

        // Every position has its opposite side in other accounts, so a collection that heard from none of them lost its
        // answers on the way (a cluster's view query under load), not the counterparties: collected again, a few times,
        // before the round goes on without them. Gone on without, it stalled and sent the bankrupt account to the book,
        // whose fills deepened a deficit the next round then passed on with the last contracts, at prices past all
        // reason (50,684,207 with BTC at 42,000).
        if (!collected.Views.Any(v => v.AccountId != liquidation.AccountId) && liquidation.EmptyAdlCollections < MaxEmptyAdlCollections)
        {
            liquidation.EmptyAdlCollections++;
            var underlying = _settings.Market.Current.GetInstrument(liquidation.AdlTarget.Value.Position.Symbol).Underlying;
            Context.Log.LogWarning("Liquidation {LiquidationId}: no account's view reached the auto-deleverage round within {Window}; collecting again ({Attempt} of {Max})",
                liquidation.Id, _settings.AdlCollectWindow, liquidation.EmptyAdlCollections, MaxEmptyAdlCollections);
            CollectAdlViews(liquidation, underlying);
            return;
        }

        // The round is priced from a view asked for now, not the one that chose the position: the venue may have traded
        // the account while the views were collected, and fills sized and priced for what it held then would flip it or
        // leave it below zero.
        liquidation.EndRound();
        foreach (var view in collected.Views.Where(v => v.AccountId != liquidation.AccountId))
        {
            liquidation.AdlViews[view.AccountId] = view;
        }

        liquidation.Phase = Phase.PricingAdl;
        RequestView(liquidation);
    }

    private void Deleverage(Liquidation liquidation, AccountView view)
    {
        var symbol = liquidation.AdlTarget!.Value.Position.Symbol;
        var market = _settings.Market.Current;
        if (HoldsUnsettledExpiry(liquidation, view, market))
        {
            return;
        }

        var position = view.Positions.FirstOrDefault(p => p.Symbol == symbol && p.Quantity != 0) is { } held ? OnLot(held, market) : null;
        if (position is null)
        {
            // Closed while the views were collected (or less than a lot of it is left): nothing of it to pass on; plan
            // again from what is left.
            liquidation.AdlTarget = null;
            liquidation.EndRound();
            Evaluate(liquidation);
            return;
        }

        if (AdlPrice(liquidation, new Portfolio(view.AccountId, view.Balances, view.Positions, []), view.Mode, symbol, market, logs: true) is not { } price)
        {
            Stall(liquidation, Text($"{symbol} has no bankruptcy price"), liquidation.LastCover);
            return;
        }

        if (DeficitGone(liquidation, position, price, market))
        {
            return;
        }

        liquidation.AdlTarget = (position, price);
        Allocate(liquidation);
    }

    /// <summary>
    /// The price a round closes <paramref name="symbol"/> of <paramref name="portfolio"/> at: its bankruptcy price, held
    /// within <see cref="LiquidationParameters.AdlPriceBand"/> of the mark or the position's entry price, whichever is
    /// further (<see cref="BankruptcyPrice.ForDeleveraging"/>); null when it has none. A deficit the band leaves stays with the account: once flat it is asked of the fund, and
    /// what the fund cannot pay the completion records as uncovered, for the operator.
    /// </summary>
    private decimal? AdlPrice(Liquidation liquidation, Portfolio portfolio, MarginMode mode, string symbol, Risk.Market.MarketSnapshot market, bool logs)
    {
        if (BankruptcyPrice.ForPosition(portfolio, symbol, market, _settings.Models.For(mode)) is not { } bankruptcy)
        {
            return null;
        }

        var mark = market.MarkOf(symbol).MarkPrice;
        var position = portfolio.Positions.First(p => p.Symbol == symbol);
        var price = BankruptcyPrice.ForDeleveraging(bankruptcy, position, mark, _settings.Parameters.AdlPriceBand, market.GetInstrument(symbol).TickSize);
        if (logs && price != bankruptcy)
        {
            Context.Log.LogWarning("Liquidation {LiquidationId}: {Symbol}'s bankruptcy price {Bankruptcy} is past both its entry {Entry} and the auto-deleverage "
                + "band of {Band} around the mark {Mark}; deleveraging at {Price}, what that leaves of the deficit stays with {AccountId}", liquidation.Id, symbol,
                bankruptcy, position.EntryPrice, _settings.Parameters.AdlPriceBand, mark, price, liquidation.AccountId);
        }

        return price;
    }

    /// <summary>
    /// A round for an account whose <paramref name="view"/> holds a contract that has expired and awaits the venue's
    /// settlement (it expired since the plan, or the book filled none of its steps): its bankruptcy price would rest on
    /// the index's estimate of that settlement, on which the plan neither covers, passes on nor takes over (and the
    /// calculators refuse the expired position: the coordinator failed at each attempt). The round is dropped and the
    /// account planned again at the next interval, the fund asked again once the settlement has made the deficit real;
    /// true when it was.
    /// </summary>
    private bool HoldsUnsettledExpiry(Liquidation liquidation, AccountView view, Risk.Market.MarketSnapshot market)
    {
        if (!market.HasExpired || !view.Positions.Any(p => p.Quantity != 0 && market.FindExpired(p.Symbol) is not null))
        {
            return false;
        }

        Context.Log.LogWarning("Liquidation {LiquidationId}: {AccountId} holds a contract that expired and awaits its settlement; no auto-deleveraging "
            + "on the index's estimate of it, planning again next interval", liquidation.Id, liquidation.AccountId);
        liquidation.AdlTarget = null;
        liquidation.EndRound();
        liquidation.BackstopTried = false;
        WaitForNextInterval(liquidation);
        return true;
    }

    /// <summary>
    /// A round that passes on a deficit, priced from a view that shows none (the market moved back, or the venue traded
    /// the account, while the fund was asked or the views collected): its bankruptcy price would be past the mark against
    /// the account, handing its equity to the counterparties with nothing owed. The round is dropped and the account
    /// planned again as it is now; true when it was.
    /// </summary>
    private bool DeficitGone(Liquidation liquidation, Position position, decimal price, Risk.Market.MarketSnapshot market)
    {
        var instrument = market.GetInstrument(position.Symbol);
        var closing = position.Quantity > 0 ? OrderSide.Sell : OrderSide.Buy;
        if (!liquidation.AdlForDeficit || LiquidationSlippage.LossUsd(instrument, closing, Math.Abs(position.Quantity), market.MarkOf(position.Symbol).MarkPrice, price,
                market.PriceOf(instrument.SettlementAsset)) <= 0)
        {
            return false;
        }

        Context.Log.LogWarning("Liquidation {LiquidationId}: the deficit to pass on is gone ({Symbol} would close at {Price}, past the mark against the account); "
            + "planning again", liquidation.Id, position.Symbol, price);
        liquidation.AdlTarget = null;
        liquidation.EndRound();
        liquidation.BackstopTried = false;
        Evaluate(liquidation);
        return true;
    }

    /// <summary>
    /// Allocates the round among the counterparties' views; those it would take from are asked for a view of their own
    /// first (a venue fill since the collection may have reduced or closed their position: taking the collected quantity
    /// would flip it), then the bankrupt account's, and it is allocated again, until every account it takes from has
    /// answered.
    /// </summary>
    private void Allocate(Liquidation liquidation)
    {
        var (position, price) = liquidation.AdlTarget!.Value;
        var symbol = position.Symbol;
        var market = _settings.Market.Current;

        // Each counterparty as it stands after the fills already sent to it: the views may have been collected before
        // an earlier round's fills (this liquidation's or another's) were applied. Its equity is valued at the market the
        // fill's loss is measured at (the views answered at the markets their accounts had then), less what those fills
        // lose against the mark: an account deleveraged by another round has given that already. An account in a
        // liquidation of its own is no counterparty: its equity is below its maintenance margin, its orders may still
        // fill (on a position already closed here they would open the opposite one), and its own round may be pricing
        // its positions from a view such a fill would make stale (a take-over gives its whole equity away).
        var candidates = liquidation.AdlViews.Values
            .Where(v => v.Margin is not null && !_activeByAccount.ContainsKey(v.AccountId))
            .Select(v => (View: v, Position: _pendingAdl.PositionAfter(v, symbol)))
            .Where(c => c.Position is not null)
            .Select(c => new AdlCandidate(c.View.AccountId, c.Position!, EquityAfterPendingFills(c.View, market)))
            .ToArray();
        var fills = AutoDeleverage.Allocate(liquidation.AccountId, position, Math.Abs(position.Quantity), price, candidates, market,
            _settings.Parameters.QuantityIncrementFor(symbol), liquidation.FundDeclined is null ? AdlReach.InProfit : AdlReach.All,
            (candidate, quantity) => KeepsMaintenance(liquidation.AdlViews[candidate.AccountId], candidate, quantity, price, market));
        if (fills.Count == 0)
        {
            if (liquidation.FundDeclined is { } declined)
            {
                // The counts tell an operator a round that heard from no account (views lost on the way) from one whose
                // counterparties could bear none of it.
                Stall(liquidation, Text($"no counterparty to deleverage {symbol} against at {price}, in profit or not ({liquidation.AdlViews.Count} accounts' views, {candidates.Length} holding {symbol}); {declined}"), liquidation.LastCover);
            }
            else
            {
                OfferToFund(liquidation);
            }

            return;
        }

        var unconfirmed = fills.Select(f => f.AccountId).Where(a => !liquidation.AdlConfirmed.Contains(a)).ToArray();
        if (unconfirmed.Length > 0)
        {
            liquidation.Phase = Phase.ConfirmingAdl;
            foreach (var account in unconfirmed)
            {
                AskCounterparty(liquidation, account);
            }

            Timers.StartSingleTimer(("view", liquidation.Id), new ViewTimedOut(liquidation.Id, Phase.ConfirmingAdl), _settings.OrderTimeout);
            return;
        }

        liquidation.EndRound();

        // Sequences are taken one after the other within the event: the bankrupt account gets one execution per fill.
        var taken = new Dictionary<string, long>(StringComparer.Ordinal);
        long Take(string account) => taken[account] = taken.TryGetValue(account, out var last) ? last + 1 : NextSequence(account, AdlSource);
        // Each side states the position the round saw, so an account the venue traded since refuses rather than flips.
        var seen = candidates.ToDictionary(c => c.AccountId, c => c.Position.Quantity, StringComparer.Ordinal);
        var executions = fills.Select(f => new AdlExecution(f.AccountId, f.Side, f.Quantity, f.Price, f.Score, Take(f.AccountId),
            Take(liquidation.AccountId), seen[f.AccountId], position.Quantity)).ToArray();
        var executed = new AutoDeleverageExecuted(liquidation.Id, liquidation.AdlRounds + 1, liquidation.AccountId, symbol, price, executions, Now);
        Persist(executed, e =>
        {
            Apply(e);
            SendOutbound(liquidation, e);
            EngineMetrics.AdlFills.Add(e.Fills.Count);
            EvaluateOnceApplied(liquidation);
        });
    }

    private void Confirmed(Liquidation liquidation, AccountView view)
    {
        liquidation.AdlViews[view.AccountId] = view;
        liquidation.AdlConfirmed.Add(view.AccountId);
        liquidation.AdlAwaiting.Remove(view.AccountId);
        if (liquidation.AdlAwaiting.Count == 0)
        {
            Timers.Cancel(("view", liquidation.Id));
            Reprice(liquidation);
        }
    }

    /// <summary>
    /// The bankrupt account's view is asked for again once the counterparties have answered: the round is priced from the
    /// last view asked before it is persisted, so the venue has no more than one round trip to trade the account under it.
    /// </summary>
    private void Reprice(Liquidation liquidation)
    {
        liquidation.Phase = Phase.PricingAdl;
        RequestView(liquidation);
    }

    /// <summary>
    /// The cross equity of a counterparty's view at <paramref name="market"/>, less what its unapplied auto-deleverage fills
    /// lose there; zero (no counterparty) when its holdings cannot be valued at that market.
    /// </summary>
    private decimal EquityAfterPendingFills(AccountView view, Risk.Market.MarketSnapshot market)
    {
        try
        {
            var (balances, positions) = ValuedAsSettled(view.AccountId, view.Balances, view.Positions, market);
            return _settings.Models.For(view.Mode).Figures(balances, positions, [], market).EquityUsd - _pendingAdl.LossUsd(view, market);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            return 0m;
        }
    }

    /// <summary>
    /// Whether <paramref name="candidate"/> keeps its equity at or above its maintenance margin once it gives
    /// <paramref name="quantity"/> at <paramref name="price"/>: its equity (as counted for the round) less that fill's loss
    /// against the mark, against the maintenance margin of its view's holdings with the position reduced by it. A
    /// counterparty left below it would be liquidated in turn: the cascade liquidation must not set off.
    /// </summary>
    private bool KeepsMaintenance(AccountView view, AdlCandidate candidate, decimal quantity, decimal price, Risk.Market.MarketSnapshot market)
    {
        var position = candidate.Position;
        try
        {
            var instrument = market.GetInstrument(position.Symbol);
            var side = position.Quantity > 0 ? OrderSide.Sell : OrderSide.Buy;
            var loss = LiquidationSlippage.LossUsd(instrument, side, quantity, market.MarkOf(position.Symbol).MarkPrice, price,
                market.PriceOf(instrument.SettlementAsset));
            var left = position.Quantity - (Math.Sign(position.Quantity) * quantity);
            var positions = view.Positions.Where(p => p.Symbol != position.Symbol).ToList();
            if (left != 0)
            {
                positions.Add(position with { Quantity = left });
            }

            var (balances, valued) = ValuedAsSettled(view.AccountId, view.Balances, positions, market);
            return candidate.AccountEquityUsd - loss >= _settings.Models.For(view.Mode).Figures(balances, valued, [], market).MaintenanceMarginUsd;
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            return false;
        }
    }

    /// <summary>
    /// <paramref name="balances"/> and <paramref name="positions"/> as a round values them: a holding in an instrument that
    /// has expired and awaits the venue's settlement is settled at its index (<see cref="ExpirySettlement.AtIndex"/>), as
    /// the account margins itself. The calculators refuse an expired instrument: a counterparty holding one was counted
    /// with no equity and passed over until its settlement came.
    /// </summary>
    private static (IReadOnlyList<CollateralBalance> Balances, IReadOnlyList<Position> Positions) ValuedAsSettled(string accountId,
        IReadOnlyList<CollateralBalance> balances, IReadOnlyList<Position> positions, Risk.Market.MarketSnapshot market)
    {
        if (!market.HasExpired || ExpirySettlement.AtIndex(new Portfolio(accountId, balances, positions, []), market) is not { } settled)
        {
            return (balances, positions);
        }

        return (settled.Balances, settled.Positions);
    }

    private void Stall(Liquidation liquidation, string reason, LiquidationCoverReceived? cover)
    {
        liquidation.EndRound();
        Context.Log.LogWarning("Liquidation {LiquidationId}: cannot auto-deleverage ({Reason}) after the fund covered {Covered} USD; the book is tried meanwhile",
            liquidation.Id, reason, cover?.CoveredUsd ?? 0m);
        Persist(new LiquidationStalled(liquidation.Id, reason, Now), e =>
        {
            // The backstop is tried again only after its back-off (OnRetry); until then the book is all there is.
            Apply(e);
            Evaluate(liquidation);
        });
    }
}
