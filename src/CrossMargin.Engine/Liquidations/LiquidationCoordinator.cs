using System.Globalization;
using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Persistence;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;
using Microsoft.Extensions.Logging;
using ActorProps = CrossMargin.Actors.Props;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// Liquidates accounts that report a breach (<see cref="AccountBreached"/>), one liquidation per account at a time; one
/// coordinator per cluster, event-sourced (persistence id <see cref="Id"/>): every step is an event, so the history of a
/// liquidation can be audited and a restarted coordinator resumes every liquidation in flight.
/// </summary>
/// <remarks>
/// <para>Order of operations of one liquidation:</para>
/// <list type="number">
/// <item><see cref="LiquidationStarted"/>, then <see cref="CancelAllOrders"/> to the account (source "liquidation").</item>
/// <item>Evaluate: <see cref="GetAccount"/> through the region (after the commands sent before it: one sender, one order),
/// then <see cref="LiquidationPlanner.NextStep(Portfolio, Risk.Market.MarketSnapshot, MarginCalculator, LiquidationParameters, IReadOnlyDictionary{string, decimal}, decimal?)"/>
/// with the calculator of the account's mode and what is left of each instrument's budget in the current interval (zero
/// where halted). A step that closes the account's last positions is bounded so that no fill within its limits leaves a
/// deficit the fund cannot pay: by the equity alone first, and if that pulls a limit in from the band, again with what the
/// fund can absorb (<see cref="GetInsuranceFund"/>, less what other liquidations' outstanding bounded orders and pending
/// covers have set aside; one waiting liquidation per answer). Its orders record their equity share, from which the fee
/// on their fills is charged after the slippage.</item>
/// <item>Done: <see cref="LiquidationCompleted"/>. Orders: <see cref="LiquidationStepPlanned"/> (which takes the budget),
/// then one <see cref="LiquidationOrderIssued"/> per order on the event stream. Throttled: the step is recorded and planned
/// again at the start of the next interval (or on <see cref="ResumeLiquidation"/>).</item>
/// <item>Each <see cref="LiquidationOrderReport"/>: <see cref="LiquidationOrderReported"/> with the fee on the filled part
/// (<see cref="LiquidationFee"/> at the newest market, capped by the order's planned fee), then
/// <see cref="ChargeLiquidationFee"/> to the account and <see cref="CollectLiquidationFee"/> to the fund, the same amount.
/// When every order of the step is reported (or the order timeout expires them: <see cref="LiquidationOrdersExpired"/>),
/// evaluate again.</item>
/// <item>Bankrupt (equity &lt; 0), before the book is asked again (each fill in it would deepen the deficit, and a deficit
/// left with no position cannot be passed on): <see cref="LiquidationCoverRequested"/>, <see cref="CoverLiquidationDeficit"/> to the fund; its answer is
/// <see cref="LiquidationCoverReceived"/>, then one <see cref="CoverDeficit"/> per asset paid to the account. Fully
/// covered: evaluate again. Uncovered with no position left: completed with the loss stated. Uncovered with positions:
/// auto-deleverage the largest one (by notional), chosen from a fresh view: the accounts interested in its
/// underlying asked for their views (<see cref="ShardBroadcast"/> of <see cref="GetAccount"/>, collected for
/// <see cref="LiquidationCoordinatorSettings.AdlCollectWindow"/>), then its bankruptcy price from another view asked once
/// they are in (the venue may have traded the account meanwhile), <see cref="AutoDeleverage.Allocate(string, Position, decimal, decimal, IEnumerable{AdlCandidate}, Risk.Market.MarketSnapshot, decimal?)"/>
/// (no counterparty beyond what its equity bears at that price: valued at the current market, less what its unapplied
/// auto-deleverage fills lose there; the accounts it takes from asked for their own views and the round allocated again
/// from those until all it takes from have answered; an account in a liquidation of its own is none), then
/// <see cref="AutoDeleverageExecuted"/>, an <see cref="ApplyExecution"/> (source "adl", flagged as a liquidation, stating
/// the position the round saw) to each counterparty and, once it has applied its own, the opposite one to the bankrupt
/// account (a counterparty the venue traded since refuses: <see cref="AutoDeleverageFillRefused"/>, neither side
/// applies, and both its sequences are consumed by a <see cref="VoidSequence"/> each), an <see cref="AutoDeleveraged"/>
/// notice per side as its account applies it (none for a refused fill); evaluate again once every side sent has answered. A backstop that achieved nothing is recorded (<see cref="LiquidationStalled"/>) and retried after 1, 2,
/// 4 ... 64 intervals in a row of stalls, while the book is tried once per interval.
/// Neither runs while the account holds a position in a halted instrument (an operator halts one whose prices are not
/// trusted), and auto-deleveraging never picks one.</item>
/// <item>Take-over: when the book fills nothing of a bounded step of the last positions
/// (<see cref="LiquidationStepPlanned.TakeOverIfUnfilled"/>), or of <see cref="LiquidationCoordinatorSettings.TakeOverAfterUnfilledSteps"/>
/// steps in a row of a solvent account (when set: off by default; then only once the stall back-off allows), the next
/// evaluation auto-deleverages the largest position at its bankruptcy price as above, instead of asking the book again, so the liquidation ends in a
/// market that stands still or a book that will not fill.
/// With no counterparty (stalled), steps go to the book at the band, unbounded, until the stall back-off tries again.</item>
/// <item>An <see cref="AccountStatusChanged"/> to healthy or margin call while the liquidation waits (throttled or
/// stalled) completes it; while orders are out, the next plan decides (its stop level has the buffer).</item>
/// </list>
/// <para>Messages to accounts carry deterministic ids and per-account sequences the events record, and requests to the fund
/// deterministic request ids, so after a restart every command of the active liquidations is sent again: accounts and
/// fund answer duplicates without applying them twice. The <see cref="AutoDeleveraged"/> notices of a round not yet settled
/// at the restart go out again as its re-sent sides are answered as duplicates (at least once: whether one went out before
/// is not journaled, and the venue's copy has a deterministic message id to drop a repeat by); rounds journaled before
/// fills stated positions were announced when recorded and are not announced again. Liquidation orders are not re-published (a venue might not
/// deduplicate them): orders not reported by the timeout count as unfilled and the next step re-plans.</para>
/// </remarks>
public sealed class LiquidationCoordinator : PersistentActor
{
    /// <summary>The coordinator's persistence id.</summary>
    public const string Id = "liquidation-coordinator";

    /// <summary>The source of the coordinator's cancel, fee and cover messages to accounts.</summary>
    public const string LiquidationSource = "liquidation";

    /// <summary>The source of auto-deleverage executions.</summary>
    public const string AdlSource = "adl";

    private readonly LiquidationCoordinatorSettings _settings;
    private readonly List<Liquidation> _liquidations = [];
    private readonly Dictionary<string, Liquidation> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Liquidation> _activeByAccount = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Liquidation> _orderOwner = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _countByAccount = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _completedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Account, string Source), long> _sequences = [];
    private readonly Dictionary<string, (long Interval, decimal Used)> _budgetUsed = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _halted = new(StringComparer.Ordinal);
    private readonly PendingAdlFills _pendingAdl = new();
    private readonly Dictionary<string, (AdlRound Round, int Index, bool Bankrupt)> _awaitedSides = new(StringComparer.Ordinal);

    // Bankrupt sides sent again without the position they state, after a refusal (in memory: after a restart the side
    // goes as recorded, and a second refusal forces it again).
    private readonly HashSet<string> _forcedBankruptSides = new(StringComparer.Ordinal);

    private LiquidationCoordinator(LiquidationCoordinatorSettings settings)
        : base(settings.Persistence)
    {
        _settings = settings;
    }

    private enum Phase
    {
        Idle,
        AwaitingView,
        AwaitingFund,
        AwaitingReports,
        AwaitingCover,
        AwaitingAdlView,
        CollectingAdl,
        PricingAdl,
        ConfirmingAdl,
        ApplyingAdl,
        Completed,
    }

    /// <inheritdoc />
    public override string PersistenceId => Id;

    private DateTimeOffset Now => Context.System.TimeProvider.GetUtcNow();

    /// <summary>The props of the coordinator.</summary>
    public static ActorProps Props(LiquidationCoordinatorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        return ActorProps.Create(() => new LiquidationCoordinator(settings));
    }

    /// <inheritdoc />
    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(AccountStatusChanged));

    /// <inheritdoc />
    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    /// <inheritdoc />
    protected override void ReceiveRecover(object message)
    {
        switch (message)
        {
            case ILiquidationEvent e:
                Apply(e);
                break;
            case LiquidationInstrumentHalted e:
                _halted.Add(e.Symbol);
                break;
            case LiquidationInstrumentResumed e:
                _halted.Remove(e.Symbol);
                break;
            case RecoveryCompleted:
                Resume();
                break;
        }
    }

    /// <inheritdoc />
    protected override bool ReceiveCommand(object message)
    {
        switch (message)
        {
            case AccountBreached breach:
                OnBreach(breach);
                return true;
            case AccountView view:
                OnView(view);
                return true;
            case InsuranceFundView fund:
                OnFundView(fund);
                return true;
            case LiquidationOrderReport report:
                OnReport(report);
                return true;
            case StepTimedOut timeout:
                OnStepTimeout(timeout);
                return true;
            case ViewTimedOut timeout:
                OnViewTimeout(timeout);
                return true;
            case RetryLiquidation retry:
                OnRetry(retry.LiquidationId);
                return true;
            case LiquidationDeficitCovered covered:
                OnCover(covered);
                return true;
            case AdlViewsCollected collected:
                OnAdlViews(collected);
                return true;
            case AccountStatusChanged changed:
                OnStatusChanged(changed);
                return true;
            case HaltLiquidation halt:
                OnHalt(halt);
                return true;
            case ResumeLiquidation resume:
                OnResume(resume);
                return true;
            case GetLiquidations:
                Sender.Tell(new LiquidationList(_liquidations.Select(l => l.Summary()).ToArray()), Self);
                return true;
            case GetLiquidation get:
                Sender.Tell(_byId.TryGetValue(get.LiquidationId, out var found)
                    ? found.History()
                    : new Status.Failure(new KeyNotFoundException($"No liquidation {get.LiquidationId}.")), Self);
                return true;
            case GetHaltedInstruments:
                Sender.Tell(new HaltedInstruments(_halted.ToArray()), Self);
                return true;
            case CommandAccepted accepted when _awaitedSides.Remove(accepted.MessageId, out var side):
                SideApplied(side.Round, side.Index, side.Bankrupt);
                return true;
            case CommandDuplicate duplicate when _awaitedSides.Remove(duplicate.MessageId, out var side):
                // Applied before (a re-send after a restart, or after its answer was lost): announced again, as the
                // notice may not have gone out; its message id on the venue's exchange is the same.
                SideApplied(side.Round, side.Index, side.Bankrupt);
                return true;
            case CommandRejected rejected when _awaitedSides.Remove(rejected.MessageId, out var side):
                if (side.Bankrupt)
                {
                    OnBankruptSideRefused(side.Round, side.Index, rejected.Rejection);
                }
                else
                {
                    OnCounterpartyRefused(side.Round, side.Index, rejected.Rejection);
                }

                return true;
            case CommandRejected rejected when _pendingAdl.Refused(rejected.MessageId):
                // One side of an auto-deleverage fill applied and the other not: the books no longer net, which only an
                // operator can put right. Its view is no longer waited for, or the account's next liquidation would wait forever.
                Context.Log.LogError("An account refused auto-deleverage execution {MessageId}: {Code} {Reason}; its other side stands", rejected.MessageId,
                    rejected.Rejection.Code, rejected.Rejection.Message);
                return true;
            case CommandRejected rejected:
                Context.Log.LogWarning("An account refused liquidation message {MessageId}: {Code} {Reason}", rejected.MessageId, rejected.Rejection.Code,
                    rejected.Rejection.Message);
                return true;
            case InsuranceFundRejected rejected:
                Context.Log.LogWarning("The insurance fund refused request {RequestId}: {Reason}", rejected.RequestId, rejected.Reason);
                return true;
            case CommandAccepted or CommandDuplicate or LiquidationFeeCollected:
                // Acknowledgements: the commands are idempotent and re-sent after a restart, so nothing waits for them.
                return true;
            default:
                return false;
        }
    }

    // ---- starting -------------------------------------------------------------------------------------------------

    private void OnBreach(AccountBreached breach)
    {
        // Accounts report on every re-assessment while breached: one liquidation per account at a time.
        if (_activeByAccount.ContainsKey(breach.AccountId))
        {
            return;
        }

        // A report assessed at a market no newer than the account's figures its last liquidation ended on is stale:
        // redelivered through a queue, or overtaken by the liquidation it caused. A breach that persists is reported
        // again at the next market, which is newer. Both times are the account owner's market times, so the
        // coordinator's own clock (on another node in a cluster) never decides it.
        if (_completedAt.TryGetValue(breach.AccountId, out var completed) && breach.ValuationTime <= completed)
        {
            Context.Log.LogDebug("Breach report of {AccountId} at {ValuationTime} predates the end of its last liquidation at {Completed}; ignored",
                breach.AccountId, breach.ValuationTime, completed);
            return;
        }

        var n = _countByAccount.GetValueOrDefault(breach.AccountId) + 1;
        var started = new LiquidationStarted($"liq-{breach.AccountId}-{n}", breach.AccountId, breach.Status, breach.EquityUsd, breach.MaintenanceMarginUsd,
            NextSequence(breach.AccountId, LiquidationSource), Now);
        Persist(started, e =>
        {
            Apply(e);
            EngineMetrics.LiquidationsStarted.Add(1);
            Context.Log.LogInformation("Liquidation {LiquidationId} of {AccountId} started: {Status}, equity {Equity}, MM {MM}", e.LiquidationId, e.AccountId,
                e.Status, e.EquityUsd, e.MaintenanceMarginUsd);
            var liquidation = _byId[e.LiquidationId];
            liquidation.Saw(breach.ValuationTime);
            SendOutbound(liquidation, e);
            Evaluate(liquidation);
        });
    }

    // ---- evaluating -----------------------------------------------------------------------------------------------

    private void Evaluate(Liquidation liquidation)
    {
        liquidation.FundAllowanceUsd = null;
        liquidation.Phase = Phase.AwaitingView;
        RequestView(liquidation);
    }

    private void RequestView(Liquidation liquidation)
    {
        _settings.Accounts.Tell(new ShardEnvelope(liquidation.AccountId, GetAccount.Instance), Self);
        Timers.StartSingleTimer(("view", liquidation.Id), new ViewTimedOut(liquidation.Id, liquidation.Phase), _settings.OrderTimeout);
    }

    private void OnViewTimeout(ViewTimedOut timeout)
    {
        if (_byId.TryGetValue(timeout.LiquidationId, out var fundWaiter) && fundWaiter.Phase == timeout.Phase && timeout.Phase == Phase.AwaitingFund)
        {
            // No word from the fund: plan as if it could absorb nothing (the tightest bound; a take-over if the book will not fill).
            Context.Log.LogWarning("Liquidation {LiquidationId}: no answer from the insurance fund in time; bounding by the equity alone", fundWaiter.Id);
            PlanWithFund(fundWaiter, 0m);
            return;
        }

        if (_byId.TryGetValue(timeout.LiquidationId, out var confirming) && confirming.Phase == timeout.Phase && timeout.Phase == Phase.ConfirmingAdl)
        {
            // A counterparty that does not answer is not counted on: the round goes on without it.
            Context.Log.LogWarning("Liquidation {LiquidationId}: no view of {Accounts} in time; deleveraging without them", confirming.Id,
                string.Join(", ", confirming.AdlAwaiting));
            foreach (var account in confirming.AdlAwaiting)
            {
                confirming.AdlViews.Remove(account);
            }

            confirming.AdlAwaiting.Clear();
            Reprice(confirming);
            return;
        }

        if (_byId.TryGetValue(timeout.LiquidationId, out var applying) && applying.Phase == timeout.Phase && timeout.Phase == Phase.ApplyingAdl)
        {
            // Executions are idempotent: one lost on its way (or its answer) is sent again rather than waited for for ever.
            Context.Log.LogWarning("Liquidation {LiquidationId}: auto-deleverage counterparties have not answered in time; sending their executions again",
                applying.Id);
            foreach (var (round, index, bankrupt) in AwaitedSidesOf(applying).ToArray())
            {
                var e = round.Executed;
                var fill = e.Fills[index];
                ToAccount(bankrupt ? e.AccountId : fill.AccountId, bankrupt ? BankruptSide(e, fill) : CounterpartySide(e, fill));
            }

            Timers.StartSingleTimer(("view", applying.Id), new ViewTimedOut(applying.Id, Phase.ApplyingAdl), _settings.OrderTimeout);
            return;
        }

        if (_byId.TryGetValue(timeout.LiquidationId, out var liquidation) && liquidation.Phase == timeout.Phase
            && timeout.Phase is Phase.AwaitingView or Phase.AwaitingAdlView or Phase.PricingAdl)
        {
            Context.Log.LogWarning("Liquidation {LiquidationId}: no view of {AccountId} in time; asking again", liquidation.Id, liquidation.AccountId);
            RequestView(liquidation);
        }
    }

    private void OnView(AccountView view)
    {
        // One round per view, as each asked for one: a round that allocates persists its fills before the next message
        // is read, so the next round counts them; two rounds allocating on the same message would not.
        if (_activeByAccount.Values.FirstOrDefault(l => l.Phase == Phase.ConfirmingAdl && l.AdlAwaiting.Contains(view.AccountId)) is { } confirming)
        {
            Confirmed(confirming, view);
        }

        if (!_activeByAccount.TryGetValue(view.AccountId, out var liquidation))
        {
            return;
        }

        if (view.Margin is { } margin)
        {
            liquidation.Saw(margin.ValuationTime);
        }

        if (liquidation.Phase is Phase.AwaitingView or Phase.AwaitingAdlView or Phase.PricingAdl && _pendingAdl.Awaits(view))
        {
            // Planning or pricing from a view that misses this account's auto-deleverage fills would close what is
            // already closed; ask again a little later rather than now, which could spin while the fills are on their way.
            Context.Log.LogWarning("Liquidation {LiquidationId}: the view of {AccountId} does not show its auto-deleverage fills yet; asking again",
                liquidation.Id, liquidation.AccountId);
            Timers.StartSingleTimer(("view", liquidation.Id), new ViewTimedOut(liquidation.Id, liquidation.Phase), _settings.AdlCollectWindow);
            return;
        }

        switch (liquidation.Phase)
        {
            case Phase.AwaitingView:
                Timers.Cancel(("view", liquidation.Id));
                Plan(liquidation, view);
                break;
            case Phase.AwaitingAdlView:
                Timers.Cancel(("view", liquidation.Id));
                StartAdl(liquidation, view);
                break;
            case Phase.PricingAdl:
                Timers.Cancel(("view", liquidation.Id));
                Deleverage(liquidation, view);
                break;
        }
    }

    private void Plan(Liquidation liquidation, AccountView view)
    {
        var market = _settings.Market.Current;
        var now = Now;

        // Open orders were cancelled first; any the venue accepted since do not change equity or maintenance margin.
        var portfolio = new Portfolio(view.AccountId, view.Balances, view.Positions, []);
        var calculator = _settings.Models.For(view.Mode);
        LiquidationPlan plan;
        try
        {
            // A step that closes the last positions is bounded by the equity and what the fund can absorb (unknown until
            // asked: nothing), unless a take-over found no counterparty, when the band is all that lets the book fill.
            plan = LiquidationPlanner.NextStep(portfolio, market, calculator, _settings.Parameters, Budgets(portfolio, now),
                liquidation.Unbounded ? null : liquidation.FundAllowanceUsd ?? 0m);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            Context.Log.LogWarning(e, "Liquidation {LiquidationId}: cannot plan at the market of {ValuationTime}; retrying next interval", liquidation.Id,
                market.ValuationTime);
            WaitForNextInterval(liquidation);
            return;
        }

        liquidation.PositionCount = view.Positions.Count(p => p.Quantity != 0);
        var equity = plan.Before.EquityUsd;
        if (plan.Outcome == LiquidationPlanOutcome.Done)
        {
            Complete(liquidation, plan.Reason);
            return;
        }

        // A bankrupt account goes to the backstop before the book: every fill in the book deepens its deficit by the
        // slippage, and once the book has closed the last position a deficit the fund cannot pay has no position left
        // for auto-deleveraging to pass it on with. A halted instrument's prices are not trusted (the operator's reason
        // to halt): a deficit measured with them is neither paid by the fund nor passed on until it is resumed.
        if (equity < 0 && !portfolio.Positions.Any(p => p.Quantity != 0 && _halted.Contains(p.Symbol)))
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

        if (liquidation.TakeOverDue
            || (equity >= 0 && _settings.TakeOverAfterUnfilledSteps > 0 && liquidation.UnfilledSteps >= _settings.TakeOverAfterUnfilledSteps
                && BackoffElapsed(liquidation)))
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
        var orders = plan.Orders.Select((o, i) => new IssuedLiquidationOrder($"{liquidation.Id}-s{step}-{i + 1}", o.Symbol, o.Side, o.Quantity, o.LimitPrice,
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
                Context.System.EventStream.Publish(new LiquidationOrderIssued(e.LiquidationId, liquidation.AccountId, order.OrderId, order.Symbol, order.Side,
                    order.Quantity, order.LimitPrice));
            }

            Timers.StartSingleTimer(("step", liquidation.Id), new StepTimedOut(liquidation.Id, e.Step), _settings.OrderTimeout);
        });
    }

    private void OnFundView(InsuranceFundView fund)
    {
        // One waiting liquidation per answer: its step is persisted (and its fund share reserved) before the next answer
        // is read, so concurrent liquidations never count the same balance twice.
        if (_liquidations.FirstOrDefault(l => l.Phase == Phase.AwaitingFund) is not { } liquidation)
        {
            return;
        }

        var reserved = _activeByAccount.Values.Where(l => l != liquidation).Sum(l => l.ReservedFundUsd + (l.PendingCover is null ? 0m : l.PendingCoverUsd));
        PlanWithFund(liquidation, Math.Max(0m, fund.ValueUsd - reserved));
        if (_liquidations.Any(l => l.Phase == Phase.AwaitingFund))
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
            budgets[symbol] = _halted.Contains(symbol) ? 0m : Math.Max(0m, _settings.Parameters.BudgetFor(symbol) - used);
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
        if (!_orderOwner.TryGetValue(report.OrderId, out var liquidation) || !liquidation.Outstanding.TryGetValue(report.OrderId, out var order))
        {
            Context.Log.LogWarning("Report of liquidation order {OrderId}, which is not outstanding; ignored", report.OrderId);
            return;
        }

        if (report.FilledQuantity < 0 || report.FilledQuantity > order.Quantity || (report.FilledQuantity > 0 && report.AveragePrice <= 0))
        {
            Context.Log.LogWarning("Report of liquidation order {OrderId}: fill {Filled} at {Price} is impossible for {Quantity}; ignored", report.OrderId,
                report.FilledQuantity, report.AveragePrice, order.Quantity);
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

            var computed = LiquidationFee.Compute(instrument, report.FilledQuantity, market, _settings.Parameters.FeeRate, cap);
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

    // ---- bankruptcy: insurance fund, then auto-deleveraging -------------------------------------------------------

    private void RequestCover(Liquidation liquidation, decimal deficitUsd)
    {
        var requested = new LiquidationCoverRequested(liquidation.Id, $"{liquidation.Id}:cover-{liquidation.Covers + 1}", deficitUsd, Now);
        Persist(requested, e =>
        {
            Apply(e);
            SendOutbound(liquidation, e);
        });
    }

    private void OnCover(LiquidationDeficitCovered covered)
    {
        if (!_byId.TryGetValue(covered.LiquidationId, out var liquidation) || liquidation.Phase != Phase.AwaitingCover
            || liquidation.PendingCover != covered.RequestId)
        {
            return;
        }

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
        var portfolio = new Portfolio(view.AccountId, view.Balances, view.Positions, []);
        var position = view.Positions.Where(p => p.Quantity != 0 && !_halted.Contains(p.Symbol))
            .OrderByDescending(p => PositionValuation.Of(p, market).NotionalUsd)
            .ThenBy(p => p.Symbol, StringComparer.Ordinal)
            .FirstOrDefault();
        decimal? price = position is null ? null : BankruptcyPrice.ForPosition(portfolio, position.Symbol, market, _settings.Models.For(view.Mode));
        if (position is null || price is null)
        {
            Stall(liquidation, position is null ? "no position left to deleverage outside halted instruments" : Text($"{position.Symbol} has no bankruptcy price"), liquidation.LastCover);
            return;
        }

        liquidation.Phase = Phase.CollectingAdl;
        liquidation.AdlTarget = (position, price.Value);
        var topics = new HashSet<string>(StringComparer.Ordinal) { market.GetInstrument(position.Symbol).Underlying };
        Context.ActorOf(ActorProps.Create(() => new AdlCollector(liquidation.Id, _settings.Accounts, topics, _settings.AdlCollectWindow)));
    }

    private void OnAdlViews(AdlViewsCollected collected)
    {
        if (!_byId.TryGetValue(collected.LiquidationId, out var liquidation) || liquidation.Phase != Phase.CollectingAdl || liquidation.AdlTarget is null)
        {
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
        var position = view.Positions.FirstOrDefault(p => p.Symbol == symbol && p.Quantity != 0);
        if (position is null)
        {
            // Closed while the views were collected: nothing of it to pass on; plan again from what is left.
            liquidation.AdlTarget = null;
            liquidation.EndRound();
            Evaluate(liquidation);
            return;
        }

        if (BankruptcyPrice.ForPosition(new Portfolio(view.AccountId, view.Balances, view.Positions, []), symbol, market, _settings.Models.For(view.Mode))
            is not { } price)
        {
            Stall(liquidation, Text($"{symbol} has no bankruptcy price"), liquidation.LastCover);
            return;
        }

        liquidation.AdlTarget = (position, price);
        Allocate(liquidation);
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
            _settings.Parameters.QuantityIncrementFor(symbol));
        if (fills.Count == 0)
        {
            Stall(liquidation, Text($"no counterparty to deleverage {symbol} against at {price}"), liquidation.LastCover);
            return;
        }

        var unconfirmed = fills.Select(f => f.AccountId).Where(a => !liquidation.AdlConfirmed.Contains(a)).ToArray();
        if (unconfirmed.Length > 0)
        {
            liquidation.Phase = Phase.ConfirmingAdl;
            liquidation.AdlAwaiting.UnionWith(unconfirmed);
            foreach (var account in unconfirmed)
            {
                _settings.Accounts.Tell(new ShardEnvelope(account, GetAccount.Instance), Self);
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
            return _settings.Models.For(view.Mode).Figures(view.Balances, view.Positions, [], market).EquityUsd - _pendingAdl.LossUsd(view, market);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            return 0m;
        }
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
        Persist(new LiquidationInstrumentResumed(resume.Symbol, Now), e =>
        {
            _halted.Remove(e.Symbol);
            replyTo.Tell(new HaltedInstruments(_halted.ToArray()), Self);
            foreach (var liquidation in _activeByAccount.Values.Where(l => l.Phase == Phase.Idle).ToArray())
            {
                Timers.Cancel(("retry", liquidation.Id));
                OnRetry(liquidation.Id);
            }
        });
    }

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
                liquidation.Outstanding.Remove(e.OrderId);
                _orderOwner.Remove(e.OrderId);
                liquidation.StepFilled |= e.FilledQuantity > 0;
                if (e.FeeSequence > 0)
                {
                    Observe(liquidation.AccountId, LiquidationSource, e.FeeSequence);
                }

                if (liquidation.Outstanding.Count == 0)
                {
                    liquidation.StepEnded();
                }

                break;
            case LiquidationOrdersExpired e:
                foreach (var id in e.OrderIds)
                {
                    liquidation.Outstanding.Remove(id);
                    _orderOwner.Remove(id);
                }

                liquidation.StepEnded();
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
                foreach (var id in liquidation.Outstanding.Keys)
                {
                    _orderOwner.Remove(id);
                }

                liquidation.Outstanding.Clear();
                break;
        }
    }

    private void Resume()
    {
        // Re-send every command of the active liquidations (all idempotent), then pick each up where its journal left it.
        foreach (var liquidation in _activeByAccount.Values.ToArray())
        {
            foreach (var @event in liquidation.Events)
            {
                SendOutbound(liquidation, @event);
            }

            if (liquidation.Outstanding.Count > 0)
            {
                liquidation.Phase = Phase.AwaitingReports;
                Timers.StartSingleTimer(("step", liquidation.Id), new StepTimedOut(liquidation.Id, liquidation.Steps), _settings.OrderTimeout);
            }
            else if (liquidation.PendingCover is not null)
            {
                liquidation.Phase = Phase.AwaitingCover;
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
                ToAccount(account, new CancelAllOrders($"{e.LiquidationId}:cancel", LiquidationSource, e.CancelSequence));
                break;
            case LiquidationOrderReported { FeeAmount: > 0 } e:
                var symbol = liquidation.Order(e.OrderId).Symbol;
                ToAccount(account, new ChargeLiquidationFee($"{e.LiquidationId}:fee:{e.OrderId}", LiquidationSource, e.FeeSequence, e.LiquidationId, e.FeeAsset,
                    e.FeeAmount));
                _settings.InsuranceFund.Tell(new CollectLiquidationFee($"{e.LiquidationId}:fee:{e.OrderId}", e.LiquidationId, account, symbol, e.FeeAsset,
                    e.FeeAmount, e.FeeUsd), Self);
                break;
            case LiquidationCoverRequested e:
                _settings.InsuranceFund.Tell(new CoverLiquidationDeficit(e.RequestId, e.LiquidationId, account, e.DeficitUsd), Self);
                break;
            case LiquidationCoverReceived e:
                for (var i = 0; i < e.Payments.Count; i++)
                {
                    var payment = e.Payments[i];
                    ToAccount(account, new CoverDeficit($"{e.RequestId}:{payment.Asset}", LiquidationSource, e.FirstSequence + i, payment.Asset, payment.Amount));
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

                    if (fill.CounterpartyPosition is null)
                    {
                        round.Applied[i] = true;
                    }
                    else
                    {
                        _awaitedSides[id] = (round, i, false);
                    }

                    ToAccount(fill.AccountId, CounterpartySide(e, fill));
                }

                ReleaseBankruptSides(round);
                break;
        }
    }

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
            if (events[i] is not AutoDeleverageFillRefused)
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
    /// Consumes the sequence of an auto-deleverage execution that never applied, refused or never sent, with a
    /// <see cref="VoidSequence"/> (an id of its own: the execution itself, arriving late, is then out of order, never applied).
    /// </summary>
    private void Void(string accountId, string voidedMessageId, long sequence) =>
        ToAccount(accountId, new VoidSequence(voidedMessageId + ":void", AdlSource, sequence, voidedMessageId));

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
            if (!applied)
            {
                Void(e.AccountId, id, fill.BankruptSequence);
                continue;
            }

            _awaitedSides[id] = (round, round.Next, true);
            ToAccount(e.AccountId, BankruptSide(e, fill));
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
        if (round.Announces && fill.CounterpartyPosition is not null)
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
    /// any other reason, or again, the side is not announced, its sequence is voided, and the books no longer net,
    /// which only an operator can put right.
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
            ToAccount(e.AccountId, BankruptSide(e, fill) with { ReducesPosition = null });
            return;
        }

        _forcedBankruptSides.Remove(id);
        Context.Log.LogError("Liquidation {LiquidationId}: {AccountId} refused its side {MessageId} of an auto-deleverage fill {Counterparty} applied: {Code} {Reason}; "
            + "the counterparty's side stands", e.LiquidationId, e.AccountId, id, fill.AccountId, rejection.Code, rejection.Message);
        _pendingAdl.Refused(id);
        Void(e.AccountId, id, fill.BankruptSequence);
        EvaluateOnceAnswered(e.LiquidationId);
    }

    private void ToAccount(string accountId, IAccountCommand command) => _settings.Accounts.Tell(new ShardEnvelope(accountId, command), Self);

    private long NextSequence(string accountId, string source) => _sequences.GetValueOrDefault((accountId, source)) + 1;

    private void Observe(string accountId, string source, long sequence)
    {
        if (sequence > _sequences.GetValueOrDefault((accountId, source)))
        {
            _sequences[(accountId, source)] = sequence;
        }
    }

    private void Consume(string symbol, decimal quantity, DateTimeOffset time)
    {
        var interval = IntervalOf(time);
        var used = _budgetUsed.TryGetValue(symbol, out var u) && u.Interval == interval ? u.Used : 0m;
        _budgetUsed[symbol] = (interval, used + quantity);
    }

    private static OrderSide Opposite(OrderSide side) => side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record StepTimedOut(string LiquidationId, int Step);

    private sealed record ViewTimedOut(string LiquidationId, Phase Phase);

    private sealed record RetryLiquidation(string LiquidationId);

    private sealed record AdlViewsCollected(string LiquidationId, IReadOnlyList<AccountView> Views);

    /// <summary>One liquidation's state: rebuilt from its events, plus what is in flight (not persisted, re-derived on recovery).</summary>
    private sealed class Liquidation(LiquidationStarted started)
    {
        public string Id { get; } = started.LiquidationId;

        public string AccountId { get; } = started.AccountId;

        public List<ILiquidationEvent> Events { get; } = [started];

        public Dictionary<string, IssuedLiquidationOrder> Outstanding { get; } = new(StringComparer.Ordinal);

        public Phase Phase { get; set; } = Phase.Idle;

        public int Steps { get; set; }

        public LiquidationStepPlanned? LastPlan { get; set; }

        public bool StepFilled { get; set; }

        public bool LastStepFilledNothing { get; set; }

        /// <summary>A step that closed the last positions within their bankruptcy bound filled nothing: take them over.</summary>
        public bool TakeOverDue { get; set; }

        /// <summary>Steps in a row (since the last fill, take-over or stall) the book filled nothing of.</summary>
        public int UnfilledSteps { get; set; }

        /// <summary>A take-over found no counterparty: the next steps go to the book at the band, unbounded, until the back-off.</summary>
        public bool Unbounded { get; set; }

        /// <summary>What the fund may absorb for the evaluation in progress, once asked; null until then.</summary>
        public decimal? FundAllowanceUsd { get; set; }

        /// <summary>The view being planned while the fund is asked.</summary>
        public AccountView? PendingView { get; set; }

        public decimal PendingCoverUsd { get; set; }

        /// <summary>
        /// The fund shares of the last step's bounded orders: set aside from when it is planned until the fund has paid
        /// what its fills left (or a take-over or the next step settles it), so other liquidations do not count on it.
        /// </summary>
        public decimal ReservedFundUsd { get; set; }

        public int Covers { get; set; }

        public string? PendingCover { get; set; }

        public LiquidationCoverReceived? LastCover { get; set; }

        public bool BackstopTried { get; set; }

        public int AdlRounds { get; set; }

        /// <summary>Backstops in a row that achieved nothing (no fund payment, no auto-deleverage), and when the last one was.</summary>
        public int Stalls { get; set; }

        public DateTimeOffset LastStall { get; set; }

        public (Position Position, decimal Price)? AdlTarget { get; set; }

        /// <summary>The counterparties' views of the round being priced, by account: collected, then replaced by those asked for.</summary>
        public Dictionary<string, AccountView> AdlViews { get; } = new(StringComparer.Ordinal);

        /// <summary>The counterparties whose view the coordinator asked for itself in this round.</summary>
        public HashSet<string> AdlConfirmed { get; } = new(StringComparer.Ordinal);

        /// <summary>The counterparties whose view is asked for and not in yet.</summary>
        public HashSet<string> AdlAwaiting { get; } = new(StringComparer.Ordinal);

        public int PositionCount { get; set; } = 1;

        /// <summary>The counterparty message ids of the auto-deleverage fills refused: neither side is sent again.</summary>
        public HashSet<string> RefusedAdl { get; } = new(StringComparer.Ordinal);

        /// <summary>The newest valuation time of the account's figures seen while this liquidation ran.</summary>
        public DateTimeOffset? MarketTime { get; private set; }

        public void Saw(DateTimeOffset valuationTime)
        {
            if (MarketTime is not { } seen || valuationTime > seen)
            {
                MarketTime = valuationTime;
            }
        }

        /// <summary>Forgets the views of the auto-deleverage round that ended.</summary>
        public void EndRound()
        {
            AdlViews.Clear();
            AdlConfirmed.Clear();
            AdlAwaiting.Clear();
        }

        public void StepEnded()
        {
            LastStepFilledNothing = !StepFilled;
            UnfilledSteps = StepFilled ? 0 : UnfilledSteps + 1;
            TakeOverDue = !StepFilled && LastPlan is { TakeOverIfUnfilled: true };
        }

        public IssuedLiquidationOrder Order(string orderId) =>
            Events.OfType<LiquidationStepPlanned>().SelectMany(s => s.Orders).First(o => o.OrderId == orderId);

        public LiquidationSummary Summary() => new(Id, AccountId, Status, started.Time, Events.Count, Events[^1]);

        public LiquidationHistory History() => new(Id, AccountId, Status, Events.ToArray());

        private LiquidationStatus Status => Phase == Phase.Completed ? LiquidationStatus.Completed : LiquidationStatus.Active;
    }

    /// <summary>
    /// A round sent to its accounts: whether each fill's counterparty applied its side, refused it, or has not answered
    /// (null), the bankrupt sides sent so far, and whether sides are announced as they apply (not for a round settled
    /// before a restart).
    /// </summary>
    private sealed class AdlRound(AutoDeleverageExecuted executed, bool announces)
    {
        public AutoDeleverageExecuted Executed => executed;

        public bool Announces => announces;

        public bool?[] Applied { get; } = new bool?[executed.Fills.Count];

        /// <summary>The first fill whose bankrupt side is not sent yet.</summary>
        public int Next { get; set; }
    }

    /// <summary>Asks every account interested in the underlying for its view and hands what came back in the window to its parent.</summary>
    private sealed class AdlCollector : ReceiveActor
    {
        private readonly List<AccountView> _views = [];
        private readonly IActorRef _accounts;
        private readonly IReadOnlySet<string> _topics;
        private readonly TimeSpan _window;

        public AdlCollector(string liquidationId, IActorRef accounts, IReadOnlySet<string> topics, TimeSpan window)
        {
            _accounts = accounts;
            _topics = topics;
            _window = window;
            Receive<AccountView>(_views.Add);
            Receive<Done>(_ =>
            {
                Context.Parent.Tell(new AdlViewsCollected(liquidationId, _views.ToArray()), Self);
                Context.Stop(Self);
            });
        }

        protected override void PreStart()
        {
            _accounts.Tell(new ShardBroadcast(GetAccount.Instance, _topics), Self);
            Timers.StartSingleTimer("window", Done.Instance, _window);
        }

        private sealed record Done
        {
            public static Done Instance { get; } = new();
        }
    }
}
