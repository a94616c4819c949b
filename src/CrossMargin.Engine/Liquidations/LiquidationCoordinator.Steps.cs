using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Liquidations;

/// <summary>Planning a step from a view (with what the fund can absorb), the per-interval budgets and back-off, and the reports of its orders.</summary>
public sealed partial class LiquidationCoordinator
{
    private void Plan(Liquidation liquidation, AccountView view)
    {
        var market = _settings.Market.Current;
        var now = Now;

        // Open orders were cancelled first; any the venue accepted since do not change equity or maintenance margin.
        var held = new Portfolio(view.AccountId, view.Balances, view.Positions, []);
        var calculator = _settings.Models.For(view.Mode);
        Portfolio portfolio;
        LiquidationPlan plan;
        try
        {
            // A holding in an instrument that expired and awaits the venue's settlement no longer trades: the plan sees it
            // settled at its index, as the account margins itself, and closes what still trades.
            var settledAtIndex = ExpirySettlement.AtIndex(held, market);
            liquidation.AwaitsExpirySettlement = settledAtIndex is not null;
            portfolio = settledAtIndex ?? held;
            // A step that closes the last positions is bounded by the equity and what the fund can absorb (unknown until
            // asked: nothing), unless a take-over found no counterparty, when the band is all that lets the book fill.
            plan = LiquidationPlanner.NextStep(portfolio, market, calculator, IsUnwind(liquidation) ? _unwindParameters : _settings.Parameters, Budgets(portfolio, now),
                liquidation.Unbounded ? null : liquidation.FundAllowanceUsd ?? 0m);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            Context.Log.LogWarning(e, "Liquidation {LiquidationId}: cannot plan at the market of {ValuationTime}; retrying next interval", liquidation.Id,
                market.ValuationTime);
            WaitForNextInterval(liquidation);
            return;
        }

        if (liquidation.AwaitsExpirySettlement && plan.Outcome != LiquidationPlanOutcome.Done && (plan.Before.EquityUsd < 0 || plan.Orders.Count == 0 || liquidation.TakeOverDue))
        {
            // Until the venue settles the expired holding its worth is an estimate at the index: no deficit is covered or passed
            // on, nor a position taken over, on an estimate. The settlement re-margins the account and the next interval plans again.
            WaitForNextInterval(liquidation);
            return;
        }

        liquidation.PositionCount = view.Positions.Count(p => p.Quantity != 0);
        liquidation.Mode = view.Mode;
        liquidation.Balances = view.Balances;
        var equity = plan.Before.EquityUsd;
        if (plan.Outcome == LiquidationPlanOutcome.Done)
        {
            if (IsUnwind(liquidation))
            {
                FinishUnwind(liquidation, view, plan.Reason);
                return;
            }

            Complete(liquidation, plan.Reason);
            return;
        }

        // A bankrupt account goes to the backstop before the book: every fill in the book deepens its deficit by the
        // slippage, and once the book has closed the last position a deficit the fund cannot pay has no position left
        // for auto-deleveraging to pass it on with. A halted instrument's prices are not trusted (the operator's reason
        // to halt), nor a silent underlying's: a deficit measured with them is neither paid by the fund nor passed on until
        // it is resumed or heard again.
        if (equity < 0 && !portfolio.Positions.Any(p => p.Quantity != 0 && Paused(p.Symbol)))
        {
            if (!liquidation.BackstopTried)
            {
                RequestCover(liquidation, -equity);
                return;
            }

            if (liquidation.LastStepFilledNothing && liquidation.LastPlan is { } tried && IntervalOf(tried.Time) == IntervalOf(now))
            {
                // The backstop is backing off (OnRetry) and the book was tried this interval: the next interval tries again.
                WaitForNextInterval(liquidation);
                return;
            }
        }

        // The fund's own account is unwound through the book only: a take-over of it would be the fund taking from itself,
        // or hand what it took over to the profitable side at once.
        if (!IsUnwind(liquidation) && (liquidation.TakeOverDue
            || (equity >= 0 && _settings.TakeOverAfterUnfilledSteps > 0 && liquidation.UnfilledSteps >= _settings.TakeOverAfterUnfilledSteps
                && !liquidation.AwaitsExpirySettlement && BackoffElapsed(liquidation))))
        {
            // The book filled nothing of the last positions within their bankruptcy bound, or of several steps in a row at
            // the band: asking it again could wait for ever. The position is auto-deleveraged at its bankruptcy price
            // instead (a bankrupt account has the fund and auto-deleveraging as its backstop already).
            Context.Log.LogWarning("Liquidation {LiquidationId}: the book filled nothing of {Steps} step(s) in a row; taking the position over", liquidation.Id,
                liquidation.UnfilledSteps);
            StartAdl(liquidation, view);
            return;
        }

        if (liquidation.FundAllowanceUsd is null && plan.Orders.Any(o => o.Bound is { } bound
            && o.LimitPrice != LiquidationPlanner.LimitPrice(bound.MarkPrice, market.GetInstrument(o.Symbol).TickSize, o.Side, _settings.Parameters.SlippageBand)))
        {
            // The equity alone pulled a limit in from the band: what the fund can absorb may let it stay there.
            liquidation.PendingView = view;
            liquidation.Phase = Phase.AwaitingFund;
            _settings.InsuranceFund.Tell(GetInsuranceFund.Instance, Self);
            Timers.StartSingleTimer(("view", liquidation.Id), new ViewTimedOut(liquidation.Id, Phase.AwaitingFund), _settings.OrderTimeout);
            return;
        }

        var step = liquidation.Steps + 1;
        var orders = plan.Orders.Select((o, i) => new IssuedLiquidationOrder(LiquidationOrderIds.Order(liquidation.Id, step, i + 1), o.Symbol, o.Side, o.Quantity, o.LimitPrice,
            o.Fee.Asset, o.Fee.Amount, o.Fee.AmountUsd, o.Bound)).ToArray();
        var planned = new LiquidationStepPlanned(liquidation.Id, step, plan.Outcome, plan.Reason, equity, plan.Before.MaintenanceMarginUsd, orders, now,
            orders.Length > 0 && orders.All(o => o.Bound is not null));
        if (orders.Length == 0 && liquidation.LastPlan is { } last && last.Outcome == planned.Outcome && last.Reason == planned.Reason)
        {
            // The same throttled (or stranded) state again: wait without writing the same step twice.
            WaitForNextInterval(liquidation);
            return;
        }

        Persist(planned, e =>
        {
            Apply(e);
            if (e.Orders.Count == 0)
            {
                WaitForNextInterval(liquidation);
                return;
            }

            EngineMetrics.LiquidationOrders.Add(e.Orders.Count);
            foreach (var order in e.Orders)
            {
                // The planner orders whole lots, or a whole position: one off the lot goes as the venue's close-position order.
                Context.System.EventStream.Publish(new LiquidationOrderIssued(e.LiquidationId, liquidation.AccountId, order.OrderId, order.Symbol, order.Side,
                    order.Quantity, order.LimitPrice, ClosesPosition: !market.GetInstrument(order.Symbol).IsOnLot(order.Quantity)));
            }

            Timers.StartSingleTimer(("step", liquidation.Id), new StepTimedOut(liquidation.Id, e.Step), _settings.OrderTimeout);
        });
    }

    private void OnFundView(InsuranceFundView fund)
    {
        // One waiting liquidation per answer: its step is persisted (and its fund share reserved) before the next answer
        // is read, so concurrent liquidations never count the same balance twice.
        if (_liquidations.FirstOrDefault(l => l.Phase is Phase.AwaitingFund or Phase.AwaitingTakeOver) is not { } liquidation)
        {
            return;
        }

        var reserved = _activeByAccount.Values.Where(l => l != liquidation).Sum(l => l.ReservedFundUsd + (l.PendingCover is null ? 0m : l.PendingCoverUsd));
        if (liquidation.Phase == Phase.AwaitingTakeOver)
        {
            TakeOver(liquidation, fund.ValueUsd - reserved);
        }
        else
        {
            PlanWithFund(liquidation, Math.Max(0m, fund.ValueUsd - reserved));
        }

        if (_liquidations.Any(l => l.Phase is Phase.AwaitingFund or Phase.AwaitingTakeOver))
        {
            _settings.InsuranceFund.Tell(GetInsuranceFund.Instance, Self);
        }
    }

    private void PlanWithFund(Liquidation liquidation, decimal allowanceUsd)
    {
        Timers.Cancel(("view", liquidation.Id));
        var view = liquidation.PendingView!;
        liquidation.PendingView = null;
        liquidation.FundAllowanceUsd = allowanceUsd;
        liquidation.Phase = Phase.AwaitingView;
        Plan(liquidation, view);
    }

    private Dictionary<string, decimal> Budgets(Portfolio portfolio, DateTimeOffset now)
    {
        var interval = IntervalOf(now);
        var budgets = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var position in portfolio.Positions)
        {
            var symbol = position.Symbol;
            var used = _budgetUsed.TryGetValue(symbol, out var u) && u.Interval == interval ? u.Used : 0m;
            budgets[symbol] = Paused(symbol) ? 0m : Math.Max(0m, _settings.Parameters.BudgetFor(symbol) - used);
        }

        return budgets;
    }

    private long IntervalOf(DateTimeOffset time) => time.UtcTicks / _settings.BudgetInterval.Ticks;

    private void WaitForNextInterval(Liquidation liquidation)
    {
        liquidation.Phase = Phase.Idle;
        var now = Now;
        var next = new DateTimeOffset((IntervalOf(now) + 1) * _settings.BudgetInterval.Ticks, TimeSpan.Zero);
        Timers.StartSingleTimer(("retry", liquidation.Id), new RetryLiquidation(liquidation.Id), next - now);
    }

    private void OnRetry(string liquidationId)
    {
        if (_byId.TryGetValue(liquidationId, out var liquidation) && liquidation.Phase == Phase.Idle)
        {
            // The book is tried every interval; a backstop that keeps stalling (no counterparty in profit) only after
            // 1, 2, 4 ... 64 intervals, or each stuck account would write a fund request and five events a second.
            if (BackoffElapsed(liquidation))
            {
                liquidation.BackstopTried = false;
                liquidation.Unbounded = false;
            }

            Evaluate(liquidation);
        }
    }

    /// <summary>No stall yet, or 1, 2, 4 ... 64 intervals since the last of a row of stalls.</summary>
    private bool BackoffElapsed(Liquidation liquidation) =>
        liquidation.Stalls == 0 || IntervalOf(Now) - IntervalOf(liquidation.LastStall) >= 1L << Math.Min(liquidation.Stalls - 1, 6);

    // ---- orders ---------------------------------------------------------------------------------------------------

    private void OnReport(LiquidationOrderReport report)
    {
        // An order expired (counted as unfilled) may still have filled: its report, however late, charges the fee on the
        // fill, even after the liquidation ended, as the fill took the account's position at a liquidation's price.
        if (!_orderOwner.TryGetValue(report.OrderId, out var liquidation)
            || !(liquidation.Outstanding.TryGetValue(report.OrderId, out var order) || liquidation.Expired.TryGetValue(report.OrderId, out order)))
        {
            Context.Log.LogWarning("Report of liquidation order {OrderId}, which is not outstanding; ignored", report.OrderId);
            EngineMetrics.LiquidationReportsIgnored.Add(1, new KeyValuePair<string, object?>("reason", "notOutstanding"));
            return;
        }

        // An IOC fills at its limit or better, never worse: a sell's average below its limit (or a buy's above) is a
        // corrupt report, and its price would go into the slippage charged against the account's equity share.
        if (report.FilledQuantity < 0 || report.FilledQuantity > order.Quantity || (report.FilledQuantity > 0 && report.AveragePrice <= 0)
            || (report.FilledQuantity > 0 && (order.Side == OrderSide.Sell ? report.AveragePrice < order.LimitPrice : report.AveragePrice > order.LimitPrice)))
        {
            Context.Log.LogWarning("Report of liquidation order {OrderId}: fill {Filled} at {Price} is impossible for {Side} {Quantity} at limit {Limit}; ignored",
                report.OrderId, report.FilledQuantity, report.AveragePrice, order.Side, order.Quantity, order.LimitPrice);
            EngineMetrics.LiquidationReportsIgnored.Add(1, new KeyValuePair<string, object?>("reason", "impossible"));
            return;
        }

        // The venue fills whole lots only: a part of one is as corrupt a report as an overfill. The exception is an order
        // off the lot, the venue's close-position order: it fills the position as the venue holds it, which the account's
        // own fills may have moved since, by whole lots; so its fill is off the lot by exactly the order's remainder. Its
        // average price is not held to the tick: an IOC that takes several levels averages between them.
        if ((_settings.Market.Current.FindInstrument(order.Symbol) ?? _settings.Market.Current.FindExpired(order.Symbol)) is { } traded
            && !traded.IsOnLot(report.FilledQuantity) && !(!traded.IsOnLot(order.Quantity) && traded.IsOnLot(order.Quantity - report.FilledQuantity)))
        {
            Context.Log.LogWarning("Report of liquidation order {OrderId}: fill {Filled} of {Symbol} is not a whole number of its lots of {Lot}; ignored",
                report.OrderId, report.FilledQuantity, order.Symbol, traded.LotSize);
            EngineMetrics.LiquidationReportsIgnored.Add(1, new KeyValuePair<string, object?>("reason", "quantityOffLot"));
            return;
        }

        var fee = 0m;
        var feeUsd = 0m;
        if (report.FilledQuantity > 0)
        {
            // The fee on what filled, at the newest mark, never above what the plan capped by the account's equity.
            // An order of the last positions pays it only from what the fill's slippage left of its equity share.
            var market = _settings.Market.Current;
            var instrument = market.GetInstrument(order.Symbol);
            var cap = order.FeeUsd;
            if (order.Bound is { } bound)
            {
                var slippage = LiquidationSlippage.LossUsd(instrument, order.Side, report.FilledQuantity, bound.MarkPrice, report.AveragePrice,
                    market.PriceOf(instrument.SettlementAsset));
                cap = Math.Min(cap, Math.Max(0m, bound.EquityShareUsd - slippage));
            }

            var computed = LiquidationFee.Compute(instrument, report.FilledQuantity, market, _settings.Parameters.FeeRate, cap, _settings.Parameters.OptionFeeCapOfValue);
            fee = computed.Amount;
            feeUsd = computed.AmountUsd;
        }

        var reported = new LiquidationOrderReported(liquidation.Id, order.OrderId, report.FilledQuantity, report.AveragePrice, order.FeeAsset, fee, feeUsd,
            fee > 0 ? NextSequence(liquidation.AccountId, LiquidationSource) : 0, Now);
        Persist(reported, e =>
        {
            Apply(e);
            SendOutbound(liquidation, e);
            if (liquidation.Outstanding.Count == 0 && liquidation.Phase == Phase.AwaitingReports)
            {
                Timers.Cancel(("step", liquidation.Id));
                Evaluate(liquidation);
            }
        });
    }

    private void OnStepTimeout(StepTimedOut timeout)
    {
        if (!_byId.TryGetValue(timeout.LiquidationId, out var liquidation) || liquidation.Phase != Phase.AwaitingReports || liquidation.Steps != timeout.Step)
        {
            return;
        }

        var expired = new LiquidationOrdersExpired(liquidation.Id, timeout.Step, liquidation.Outstanding.Keys.Order(StringComparer.Ordinal).ToArray(), Now);
        Persist(expired, e =>
        {
            Apply(e);
            Context.Log.LogWarning("Liquidation {LiquidationId}: no report of {Orders} in time; counted as unfilled", e.LiquidationId, string.Join(", ", e.OrderIds));
            Evaluate(liquidation);
        });
    }

    private void Consume(string symbol, decimal quantity, DateTimeOffset time)
    {
        var interval = IntervalOf(time);
        var used = _budgetUsed.TryGetValue(symbol, out var u) && u.Interval == interval ? u.Used : 0m;
        _budgetUsed[symbol] = (interval, used + quantity);
    }
}
