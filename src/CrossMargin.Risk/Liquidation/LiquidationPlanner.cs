using System.Globalization;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Liquidation;

/// <summary>
/// Plans the next step of a liquidation: which positions to reduce, by how much, at what limit. Pure: the actor calls
/// it again after each step's orders have filled or been cancelled, with the new portfolio, market and budgets.
/// </summary>
/// <remarks>
/// <para>
/// Stop: a pool (the cross pool, or one isolated position) is liquidated while its equity is below
/// <see cref="LiquidationParameters.StopLevel"/>, MM x (1 + buffer). Entering liquidation (equity &lt; MM) is the
/// account's decision; this only says whether to go on.
/// </para>
/// <para>
/// Cross pool: the candidates are the <see cref="LiquidationGrouping"/> groups. Each is measured by trial: the account
/// is assessed with the group reduced by the max step fraction, and the group's score is the maintenance margin that
/// released (unrounded) per USD of notional closed. The best score goes first (ties: key in ordinal order). A group
/// with a leg whose budget cannot take one increment is skipped, whole, so a hedge is never broken by the throttle; the
/// naked part of a future larger than the options' delta is a group of its own and goes on. One group is reduced per
/// step, by a fraction of what each leg holds in it (the part of a future, for a hedge).
/// </para>
/// <para>
/// Step size: the fraction f of every leg is the least of the max step fraction, each leg's remaining budget over its
/// size, and the fraction estimated to restore the stop level: with release R per unit of fraction (from the trial,
/// assumed linear), equity E, MM M, fee rate r on notional N and stop factor S = 1 + buffer, E - r f N &gt;= S (M - f R)
/// gives f = (S M - E) / (S R - r N) (the max step when the denominator is not positive). Each leg closes f x |q|
/// rounded up to its quantity increment (so the estimate is reached), but at most the max step fraction of it rounded
/// down, at most its budget rounded down, and at most the whole position. A position too small for one increment of
/// the step may close one increment, and a leg whose whole position fits its budget closes even when off the increment,
/// so every liquidation ends. Increments are whole lots of the instrument, so every order is whole lots except one that
/// closes a whole position off the lot (booked before lots were enforced, or by a lot changed since): the venue takes it
/// as its close-position order, the only order it fills off its lot.
/// </para>
/// <para>
/// Isolated pool: an isolated position below its own stop is reduced by the max step fraction (bounded by its budget),
/// alone. Reducing it releases its margin pro rata, which does not improve its margin ratio, so in practice it is
/// closed in steps until flat or until the market restores it.
/// </para>
/// <para>
/// Limit prices: a sell at mark x (1 - band) rounded up to the tick, a buy at mark x (1 + band) rounded down: marketable
/// against the book near the mark, never worse than the band, with one exception: a buy is never below one tick. An
/// option marked below one tick (mark x (1 + band) under the tick) is bought back at one tick, beyond the band, because
/// no lower price exists on the book: refusing would leave the short with no order that could ever fill, and the cost is
/// at most one tick a contract over the mark. The step's reason names each such order. A bound on the last positions'
/// losses (below) cannot pull such a limit below one tick either, so there the fund may pay up to that tick's excess. Fees are capped by the pool's equity (rounded down)
/// left after the fees already planned in this step.
/// </para>
/// <para>
/// The last positions: a fill's slippage is the pool's loss, and once a step has closed every position a deficit left
/// by it has no position to be passed on with (auto-deleveraging needs one). So when the caller gives a fund allowance
/// F (what the insurance fund can absorb for this liquidation) and the step closes every open position, the orders'
/// limits are bounded: with E+ the equity before fees (never below zero), order i, which could lose L_i at its band
/// limit (L in all), gets the equity share S_i = fee_i + (E+ - fees) x L_i / L (the fee first: at the mark it pays it in
/// full) and the fund share F_i = F x L_i / L, and its limit is pulled in from the band to the price at which it loses
/// S_i + F_i (rounded to the tick towards the mark), if the band would lose more. Filled anywhere within the limits
/// the pool loses at most E+ + F, and the caller charges each fee only from what the fill leaves of S_i (slippage before
/// fee), so the deficit is at most F. A step that closes less leaves positions for the backstop, and is not bounded.
/// </para>
/// </remarks>
public static class LiquidationPlanner
{
    /// <summary>Plans the next step of liquidating <paramref name="portfolio"/>.</summary>
    /// <param name="portfolio">The account now (open orders should already be cancelled by the caller).</param>
    /// <param name="market">The market now.</param>
    /// <param name="calculator">The account's margin calculator.</param>
    /// <param name="parameters">Liquidation parameters.</param>
    /// <param name="remainingBudget">
    /// Contracts each symbol may still trade in the current interval; a symbol absent has used none of its
    /// <see cref="LiquidationParameters.BudgetFor"/>. Negative values count as zero.
    /// </param>
    public static LiquidationPlan NextStep(Portfolio portfolio, MarketSnapshot market, MarginCalculator calculator,
        LiquidationParameters parameters, IReadOnlyDictionary<string, decimal> remainingBudget) =>
        NextStep(portfolio, market, calculator, parameters, remainingBudget, fundAllowanceUsd: null);

    /// <summary>
    /// Plans the next step of liquidating <paramref name="portfolio"/>; a step that closes every open position is bounded
    /// by the equity and <paramref name="fundAllowanceUsd"/> (see the remarks).
    /// </summary>
    /// <param name="portfolio">The account now (open orders should already be cancelled by the caller).</param>
    /// <param name="market">The market now.</param>
    /// <param name="calculator">The account's margin calculator.</param>
    /// <param name="parameters">Liquidation parameters.</param>
    /// <param name="remainingBudget">Contracts each symbol may still trade in the current interval (as the other overload).</param>
    /// <param name="fundAllowanceUsd">
    /// What the insurance fund may pay towards this step's slippage beyond the equity, USD (negative counts as zero);
    /// null: no bound, every limit at the band and the fee capped when planned only.
    /// </param>
    public static LiquidationPlan NextStep(Portfolio portfolio, MarketSnapshot market, MarginCalculator calculator,
        LiquidationParameters parameters, IReadOnlyDictionary<string, decimal> remainingBudget, decimal? fundAllowanceUsd)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(calculator);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(remainingBudget);

        var before = calculator.Assess(portfolio, market);
        if (parameters.UntilFlat && before.EquityUsd >= 0 && portfolio.Positions.All(p => p.Quantity == 0))
        {
            return new LiquidationPlan(LiquidationPlanOutcome.Done, Text($"unwound: no position left, equity {before.EquityUsd}"), [], before, before);
        }

        var groups = LiquidationGrouping.Of(portfolio, market, parameters.QuantityIncrementFor);
        var positions = portfolio.Positions.ToDictionary(p => p.Symbol, StringComparer.Ordinal);
        decimal Budget(string symbol) =>
            remainingBudget.TryGetValue(symbol, out var b) ? Math.Max(b, 0m) : parameters.BudgetFor(symbol);

        var orders = new List<LiquidationOrder>();
        var notes = new List<string>();
        var throttled = false;
        var stranded = false;

        foreach (var iso in before.Isolated.OrderBy(i => i.Symbol, StringComparer.Ordinal))
        {
            var stop = parameters.StopLevel(iso.MaintenanceMarginUsd);
            if (iso.EquityUsd >= stop)
            {
                continue;
            }

            var group = groups.FirstOrDefault(g => g.IsIsolated && g.Key == iso.Symbol);
            if (group is null)
            {
                stranded = true;
                notes.Add(Text($"isolated {iso.Symbol}: equity {iso.EquityUsd} below stop {stop} with no position left"));
                continue;
            }

            var legs = Quantities(group, positions, parameters, Budget, parameters.MaxStepFraction);
            if (legs is null)
            {
                throttled = true;
                notes.Add(Text($"isolated {iso.Symbol}: equity {iso.EquityUsd} below stop {stop}, throttled (no budget)"));
                continue;
            }

            orders.AddRange(Orders(legs, group, positions, market, parameters, iso.EquityUsd));
            notes.Add(Text($"isolated {iso.Symbol}: equity {iso.EquityUsd} below stop {stop} (MM {iso.MaintenanceMarginUsd} x {1 + parameters.StopBufferRatio})"));
        }

        var crossStop = parameters.StopLevel(before.MaintenanceMarginUsd);
        if (before.EquityUsd < crossStop)
        {
            var crossGroups = groups.Where(g => !g.IsIsolated).ToArray();
            if (crossGroups.Length == 0)
            {
                stranded = true;
                notes.Add(Text($"cross: equity {before.EquityUsd} below stop {crossStop} with no position left"));
            }
            else
            {
                var (crossOrders, note, wasThrottled) = PlanCross(portfolio, market, calculator, parameters, before, crossGroups, positions, Budget);
                orders.AddRange(crossOrders);
                notes.Add(note);
                throttled |= wasThrottled;
            }
        }
        else
        {
            notes.Add(Text($"cross: equity {before.EquityUsd} >= stop {crossStop} (MM {before.MaintenanceMarginUsd} x {1 + parameters.StopBufferRatio})"));
        }

        if (orders.Count > 0 && fundAllowanceUsd is { } allowance && ClosesEverything(portfolio, orders))
        {
            orders = Bound(orders, market, before.EquityUsd, allowance);
        }

        foreach (var order in orders.Where(o => o.Side == OrderSide.Buy))
        {
            var band = market.MarkOf(order.Symbol).MarkPrice * (1 + parameters.SlippageBand);
            if (order.LimitPrice > band)
            {
                notes.Add(Text($"{order.Symbol}: buy limit {order.LimitPrice} is one tick, beyond the band's {band} (mark {market.MarkOf(order.Symbol).MarkPrice} below one tick)"));
            }
        }

        var reason = string.Join("; ", notes);
        if (orders.Count > 0)
        {
            var after = calculator.Assess(Apply(portfolio, orders, market), market);
            return new LiquidationPlan(LiquidationPlanOutcome.Orders, reason, orders, before, after);
        }

        var outcome = throttled ? LiquidationPlanOutcome.Throttled
            : stranded ? LiquidationPlanOutcome.NothingToClose
            : LiquidationPlanOutcome.Done;
        return new LiquidationPlan(outcome, reason, [], before, before);
    }

    /// <summary>
    /// <paramref name="portfolio"/> after <paramref name="orders"/> fill in full at the mark and pay their fees, booked
    /// by <see cref="TradeAccounting"/> exactly as the account will book the real fills.
    /// </summary>
    public static Portfolio Apply(Portfolio portfolio, IEnumerable<LiquidationOrder> orders, MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(market);
        var positions = portfolio.Positions.ToDictionary(p => p.Symbol, p => (Position?)p, StringComparer.Ordinal);
        var balances = portfolio.Balances.Select(b => b.Asset).ToList();
        var amounts = portfolio.Balances.ToDictionary(b => b.Asset, b => b.Amount, StringComparer.Ordinal);
        foreach (var order in orders)
        {
            var instrument = market.GetInstrument(order.Symbol);
            var fill = new Fill(order.Symbol, order.Side, order.Quantity, market.MarkOf(order.Symbol).MarkPrice, order.Fee.Amount);
            var result = TradeAccounting.Apply(positions.GetValueOrDefault(order.Symbol), instrument, fill);
            positions[order.Symbol] = result.Position;
            if (!amounts.ContainsKey(result.SettlementAsset))
            {
                balances.Add(result.SettlementAsset);
                amounts[result.SettlementAsset] = 0m;
            }

            amounts[result.SettlementAsset] += result.BalanceChange;
        }

        var kept = portfolio.Positions.Select(p => positions[p.Symbol]).OfType<Position>();
        return new Portfolio(portfolio.AccountId, balances.Select(a => new CollateralBalance(a, amounts[a])), kept, portfolio.OpenOrders);
    }

    private static (IReadOnlyList<LiquidationOrder> Orders, string Note, bool Throttled) PlanCross(
        Portfolio portfolio, MarketSnapshot market, MarginCalculator calculator, LiquidationParameters parameters,
        AccountMargin before, LiquidationGroup[] groups, Dictionary<string, Position> positions, Func<string, decimal> budget)
    {
        var step = parameters.MaxStepFraction;
        var mm = before.Requirement.MaintenanceMarginUsd;
        var skipped = new List<string>();
        var scored = new List<(LiquidationGroup Group, decimal Score, decimal ReleasePerFraction, decimal Notional)>();
        foreach (var group in groups)
        {
            if (Quantities(group, positions, parameters, budget, step) is null)
            {
                skipped.Add(group.Key);
                continue;
            }

            var trial = calculator.Assess(Reduce(portfolio, group, step), market);
            var release = mm - trial.Requirement.MaintenanceMarginUsd;
            var notional = group.Symbols.Sum(s => PositionValuation.Of(positions[s] with { Quantity = group.Quantities[s] }, market).NotionalUsd);
            var score = notional == 0 ? 0m : release / (step * notional);
            scored.Add((group, score, release / step, notional));
        }

        var stop = parameters.StopLevel(before.MaintenanceMarginUsd);
        if (scored.Count == 0)
        {
            return ([], Text($"cross: equity {before.EquityUsd} below stop {stop}, throttled: no budget for {string.Join(", ", skipped)}"), true);
        }

        var best = scored.OrderByDescending(s => s.Score).ThenBy(s => s.Group.Key, StringComparer.Ordinal).First();
        var factor = 1 + parameters.StopBufferRatio;
        var denominator = (factor * best.ReleasePerFraction) - (parameters.FeeRate * best.Notional);
        var needed = parameters.UntilFlat ? step : denominator > 0 ? Math.Max(0m, ((factor * before.MaintenanceMarginUsd) - before.EquityUsd) / denominator) : step;
        var fraction = Math.Min(step, needed);
        var legs = Quantities(best.Group, positions, parameters, budget, fraction)!;
        var orders = Orders(legs, best.Group, positions, market, parameters, before.EquityUsd);
        var note = (parameters.UntilFlat
                ? Text($"cross: unwinding to flat, equity {before.EquityUsd}, MM {before.MaintenanceMarginUsd}; closing {best.Group.Key} ")
                : Text($"cross: equity {before.EquityUsd} below stop {stop} (MM {before.MaintenanceMarginUsd} x {factor}); closing {best.Group.Key} "))
            + Text($"(releases {Math.Round(best.Score, 6)} USD of MM per USD closed, best of {scored.Count}), fraction {Math.Round(fraction, 6)}")
            + (skipped.Count > 0 ? Text($"; throttled: {string.Join(", ", skipped)}") : string.Empty);
        return (orders, note, false);
    }

    /// <summary>
    /// The contracts each leg of <paramref name="group"/> closes at fraction <paramref name="wanted"/> of its part, or null
    /// when a leg cannot trade (no budget for one increment): the group is then skipped whole.
    /// </summary>
    /// <remarks>
    /// A leg that holds only part of its position (a hedge's share of a larger future) trades on the increment only: the
    /// exception for closing a position whole when off the increment does not apply to it, and it may round up beyond its
    /// part into the naked rest of the same position, which only reduces that position.
    /// </remarks>
    private static List<(string Symbol, decimal Quantity)>? Quantities(LiquidationGroup group, Dictionary<string, Position> positions,
        LiquidationParameters parameters, Func<string, decimal> budget, decimal wanted)
    {
        var fraction = wanted;
        foreach (var symbol in group.Symbols)
        {
            fraction = Math.Min(fraction, budget(symbol) / Math.Abs(group.Quantities[symbol]));
        }

        var legs = new List<(string Symbol, decimal Quantity)>();
        foreach (var symbol in group.Symbols)
        {
            var size = Math.Abs(group.Quantities[symbol]);
            var whole = Math.Abs(positions[symbol].Quantity);
            var lot = parameters.QuantityIncrementFor(symbol);
            var left = budget(symbol);
            decimal quantity;
            if (size == whole)
            {
                var stepCap = parameters.MaxStepFraction * size >= size ? size : Math.Max(lot, Floor(parameters.MaxStepFraction * size, lot));
                var budgetCap = left >= size ? size : Floor(left, lot);
                quantity = Math.Min(Math.Min(Ceiling(fraction * size, lot), stepCap), Math.Min(budgetCap, size));
            }
            else
            {
                var partCap = Math.Min(Ceiling(size, lot), Floor(whole, lot));
                var stepCap = Math.Min(partCap, Math.Max(lot, Floor(parameters.MaxStepFraction * size, lot)));
                quantity = Math.Min(Math.Min(Ceiling(fraction * size, lot), stepCap), Floor(left, lot));
            }

            if (quantity <= 0)
            {
                return null;
            }

            legs.Add((symbol, quantity));
        }

        return legs;
    }

    private static List<LiquidationOrder> Orders(IReadOnlyList<(string Symbol, decimal Quantity)> legs, LiquidationGroup group,
        Dictionary<string, Position> positions, MarketSnapshot market, LiquidationParameters parameters, decimal equityUsd)
    {
        var orders = new List<LiquidationOrder>();
        var equityLeft = equityUsd;
        foreach (var (symbol, quantity) in legs)
        {
            var instrument = market.GetInstrument(symbol);
            var side = positions[symbol].Quantity > 0 ? OrderSide.Sell : OrderSide.Buy;
            var fee = LiquidationFee.Compute(instrument, quantity, market, parameters.FeeRate, equityLeft, parameters.OptionFeeCapOfValue);
            equityLeft -= fee.AmountUsd;
            orders.Add(new LiquidationOrder(symbol, side, quantity, LimitPrice(market.MarkOf(symbol).MarkPrice, instrument.TickSize, side, parameters.SlippageBand), group.Key, fee));
        }

        return orders;
    }

    private static bool ClosesEverything(Portfolio portfolio, List<LiquidationOrder> orders) =>
        portfolio.Positions.Where(p => p.Quantity != 0).All(p => orders.Where(o => o.Symbol == p.Symbol).Sum(o => o.SignedQuantity) == -p.Quantity);

    /// <summary>The orders of a step that closes the last positions, bounded by the equity and the fund's allowance (see the remarks).</summary>
    private static List<LiquidationOrder> Bound(List<LiquidationOrder> orders, MarketSnapshot market, decimal poolEquityUsd, decimal allowanceUsd)
    {
        // A deficit already there (negative equity) is the fund's first: only what is left of the allowance is the step's.
        var equityUsd = Math.Max(0m, poolEquityUsd);
        var fundUsd = Math.Max(0m, allowanceUsd + Math.Min(0m, poolEquityUsd));
        var marks = orders.Select(o => market.MarkOf(o.Symbol).MarkPrice).ToArray();
        var settlement = orders.Select(o => market.PriceOf(market.GetInstrument(o.Symbol).SettlementAsset)).ToArray();
        var losses = orders.Select((o, i) => Math.Max(0m, LiquidationSlippage.LossUsd(market.GetInstrument(o.Symbol), o.Side, o.Quantity, marks[i], o.LimitPrice,
            settlement[i]))).ToArray();
        var total = losses.Sum();
        var fees = orders.Sum(o => o.Fee.AmountUsd);
        var bounded = new List<LiquidationOrder>(orders.Count);
        for (var i = 0; i < orders.Count; i++)
        {
            var order = orders[i];
            var weight = total > 0 ? losses[i] / total : 1m / orders.Count;
            var equityShare = equityUsd >= fees
                ? order.Fee.AmountUsd + ((equityUsd - fees) * weight)
                : fees > 0 ? equityUsd * order.Fee.AmountUsd / fees : equityUsd * weight;
            var fundShare = fundUsd * weight;
            var limit = order.LimitPrice;
            if (losses[i] > equityShare + fundShare)
            {
                var instrument = market.GetInstrument(order.Symbol);
                limit = BankruptcyBound(instrument, order.Side, order.Quantity, marks[i], equityShare + fundShare, settlement[i], limit);
            }

            bounded.Add(order with { LimitPrice = limit, Bound = new LiquidationLossBound(marks[i], equityShare, fundShare) });
        }

        return bounded;
    }

    /// <summary>
    /// <paramref name="bandLimit"/> pulled in to the price at which the order loses <paramref name="lossUsd"/> against the
    /// mark, rounded to the tick towards the mark (up for a sell, down for a buy), so it loses no more.
    /// </summary>
    private static decimal BankruptcyBound(Instruments.Instrument instrument, OrderSide side, decimal quantity, decimal mark, decimal lossUsd,
        decimal settlementUsd, decimal bandLimit)
    {
        var signed = side == OrderSide.Sell ? quantity : -quantity;
        if (BankruptcyPrice.Exact(instrument, signed, mark, lossUsd, settlementUsd) is not { } bound)
        {
            return bandLimit;
        }

        return side == OrderSide.Sell
            ? Math.Max(bandLimit, MarginRounding.ToTick(bound, instrument.TickSize, up: true))
            : Math.Max(instrument.TickSize, Math.Min(bandLimit, MarginRounding.ToTick(bound, instrument.TickSize, up: false)));
    }

    /// <summary>
    /// The limit of a liquidation order: a sell at mark x (1 - band) rounded up to the tick, a buy at mark x (1 + band)
    /// rounded down, so the price is marketable near the mark and never beyond the band; at least one tick (for a buy of
    /// an option marked below one tick, that is beyond the band: see the planner's remarks).
    /// </summary>
    public static decimal LimitPrice(decimal mark, decimal tick, OrderSide side, decimal band) => side == OrderSide.Sell
        ? Math.Max(tick, MarginRounding.ToTick(mark * (1 - band), tick, up: true))
        : Math.Max(tick, MarginRounding.ToTick(mark * (1 + band), tick, up: false));

    private static Portfolio Reduce(Portfolio portfolio, LiquidationGroup group, decimal fraction) => new(
        portfolio.AccountId,
        portfolio.Balances,
        portfolio.Positions.Select(p => group.Quantities.TryGetValue(p.Symbol, out var part) ? p with { Quantity = p.Quantity - (part * fraction) } : p),
        portfolio.OpenOrders);

    private static decimal Floor(decimal value, decimal lot) => Math.Floor(value / lot) * lot;

    private static decimal Ceiling(decimal value, decimal lot) => Math.Ceiling(value / lot) * lot;

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
