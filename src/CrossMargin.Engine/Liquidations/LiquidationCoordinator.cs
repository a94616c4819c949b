using System.Globalization;
using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
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
/// evaluate again. An expired order's report that still comes, even after the liquidation ended, charges its fill's fee.</item>
/// <item>Bankrupt (equity &lt; 0), before the book is asked again (each fill in it would deepen the deficit, and a deficit
/// left with no position cannot be passed on): <see cref="LiquidationCoverRequested"/>, <see cref="CoverLiquidationDeficit"/> to the fund; its answer is
/// <see cref="LiquidationCoverReceived"/>, then one <see cref="CoverDeficit"/> per asset paid to the account. Fully
/// covered: evaluate again. Uncovered with no position left: completed with the loss stated. Uncovered with positions:
/// auto-deleverage the largest one (by notional), chosen from a fresh view: the accounts interested in its
/// underlying asked for their views (<see cref="ShardBroadcast"/> of <see cref="GetAccount"/>, collected for
/// <see cref="LiquidationCoordinatorSettings.AdlCollectWindow"/>), then its bankruptcy price from another view asked once
/// they are in (the venue may have traded the account meanwhile), held at the position's entry or <see cref="LiquidationParameters.AdlPriceBand"/>
/// from the mark, whichever is further (the deficit beyond stays with the account: asked of the fund once it is flat, else recorded uncovered), <see cref="AutoDeleverage.Allocate(string, Position, decimal, decimal, IEnumerable{AdlCandidate}, Risk.Market.MarketSnapshot, decimal?, AdlReach, Func{AdlCandidate, decimal, bool})"/>
/// (no counterparty beyond what its equity bears at that price, nor so far that it is left below its maintenance margin:
/// valued at the current market, less what its unapplied auto-deleverage fills lose there; the accounts it takes from asked for their own views and the round allocated again
/// from those until all it takes from have answered; an account in a liquidation of its own is none), then
/// <see cref="AutoDeleverageExecuted"/>, an <see cref="ApplyExecution"/> (source "adl", flagged as a liquidation, stating
/// the position the round saw) to each counterparty and, once it has applied its own, the opposite one to the bankrupt
/// account (a counterparty the venue traded since refuses: <see cref="AutoDeleverageFillRefused"/>, neither side
/// applies, and both its sequences are consumed by a <see cref="VoidSequence"/> each), an <see cref="AutoDeleveraged"/>
/// notice per side as its account applies it (none for a refused fill); evaluate again once every side sent has answered.
/// A bankrupt side refused after its counterparty applied reverses the counterparty's side; a reversal refused too leaves
/// the fill unbalanced, journaled, counted and listed until an operator rebooks it (the Unbalanced part).
/// Each account's auto-deleverage messages, from every liquidation, go in sequence order and never past a side of it not
/// yet answered (<see cref="AdlOutbox"/>), so what takes a refused side's place reaches the account before the next one. A backstop that achieved nothing is recorded (<see cref="LiquidationStalled"/>) and retried after 1, 2,
/// 4 ... 64 intervals in a row of stalls, while the book is tried once per interval.
/// Neither runs while the account holds a position in a halted instrument (an operator halts one whose prices are not
/// trusted) or on a silent underlying (no index accepted for <see cref="LiquidationCoordinatorSettings.SilentAfter"/>:
/// paused in the same way, without an event, until its next index), and auto-deleveraging never picks one.</item>
/// <item>Take-over: when the book fills nothing of a bounded step of the last positions
/// (<see cref="LiquidationStepPlanned.TakeOverIfUnfilled"/>), or of <see cref="LiquidationCoordinatorSettings.TakeOverAfterUnfilledSteps"/>
/// steps in a row of a solvent account (when set: off by default; then only once the stall back-off allows), the next
/// evaluation auto-deleverages the largest position at its bankruptcy price as above, instead of asking the book again, so the liquidation ends in a
/// market that stands still or a book that will not fill.
/// With no counterparty in profit, the fund takes the position over into its own account if it bears it, and that
/// account is unwound through the book (<see cref="LiquidationCoordinatorSettings.FundAccountId"/>, the FundTakeOver
/// part); otherwise the round is allocated again reaching the opposite positions not in profit too
/// (<see cref="AdlReach.All"/>, each no more than its equity bears), and only when none bears any of it (stalled) do steps
/// go to the book at the band, unbounded, until the stall back-off tries again.</item>
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
public sealed partial class LiquidationCoordinator : PersistentActor
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

    // Underlyings last found silent (Paused), so that the start and the end of a silence are each logged once.
    private readonly HashSet<string> _silentUnderlyings = new(StringComparer.Ordinal);
    private readonly PendingAdlFills _pendingAdl = new();
    private readonly Dictionary<string, (AdlRound Round, int Index, AdlSide Side)> _awaitedSides = new(StringComparer.Ordinal);

    // Messages from LiquidationSource an account refused, by account and sequence: its views never reflect them, so a
    // view is not waited for until it does (AnswersEarlierRequest).
    private readonly HashSet<(string Account, long Sequence)> _refusedSequences = [];

    private readonly AdlOutbox _adlOutbox;
    private readonly LiquidationParameters _unwindParameters;

    private LiquidationCoordinator(LiquidationCoordinatorSettings settings)
        : base(settings.Persistence)
    {
        _settings = settings;
        _adlOutbox = new AdlOutbox(ToAccount);
        _unwindParameters = settings.Parameters.ForUnwind();
    }

    private enum Phase
    {
        Idle,
        AwaitingView,
        AwaitingFund,
        AwaitingReports,
        AwaitingCover,
        MeasuringCover,
        AwaitingAdlView,
        CollectingAdl,
        PricingAdl,
        ConfirmingAdl,
        ApplyingAdl,
        AwaitingTakeOver,
        Sweeping,
        Settling,
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
    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(AccountStatusChanged));
        // A silent underlying's liquidations go on at its next accepted index, not at the next interval's retry.
        Context.System.EventStream.Subscribe(Self, typeof(MarketChanged));
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);

        // The exposure is the running coordinator's to report: on a node that gave the singleton up it is another node's.
        Volatile.Write(ref s_uncoveredUsd, 0d);
        Volatile.Write(ref s_unbalancedOpen, 0L);
    }

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
                Resumed(e);
                break;
            case RecoveryCompleted:
                ForgetExpiredPastHorizon();
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
                // Every view is asked for under a request id and comes as ViewAnswered: one without cannot be told fresh.
                EngineMetrics.LiquidationStaleViews.Add(1);
                Context.Log.LogInformation("A view of {AccountId} answering no request of this coordinator; dropped", view.AccountId);
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
            case ViewAnswered answered:
                OnViewAnswered(answered);
                return true;
            case AdlViewsCollected collected:
                OnAdlViews(collected);
                return true;
            case AccountStatusChanged changed:
                OnStatusChanged(changed);
                return true;
            case MarketChanged changed:
                OnMarketChanged(changed);
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
            case CoverUncoveredDeficit cover:
                OnCoverUncovered(cover);
                return true;
            case CoverFundAnswered answered:
                OnCoverFundAnswered(answered);
                return true;
            case CoverDecisionTimedOut timeout:
                OnCoverDecisionTimedOut(timeout);
                return true;
            case GetUnreportedOrders:
                Sender.Tell(CountUnreported(), Self);
                return true;
            case GetUncoveredDeficits:
                Sender.Tell(Uncovered(), Self);
                return true;
            case RebookAdlReversal rebook:
                OnRebook(rebook);
                return true;
            case GetUnbalancedAdl:
                Sender.Tell(UnbalancedFills(), Self);
                return true;
            case GetHaltedInstruments:
                Sender.Tell(new HaltedInstruments(_halted.ToArray()), Self);
                return true;
            case CommandAccepted or CommandDuplicate or CommandRejected when OnFundAccountOpenAnswer(message) || OnSweepAnswer(message) || OnSettled(message)
                || OnCancelAnswered(message):
                return true;
            case LiquidationFeeCollected or LiquidationShortfallSettled or InsuranceFundRejected when OnSettled(message):
                return true;
            case InsuranceFundDeposited deposited when OnSweepDeposited(deposited.RequestId):
                return true;
            case InsuranceFundRejected rejected when OnSweepDeposited(rejected.RequestId):
                Context.Log.LogError("The insurance fund refused the deposit {RequestId} of its account's collateral: {Reason}", rejected.RequestId, rejected.Reason);
                return true;
            case CommandAccepted accepted when _awaitedSides.Remove(accepted.MessageId, out var side):
                SideApplied(side.Round, side.Index, side.Side);
                return true;
            case CommandDuplicate duplicate when _awaitedSides.Remove(duplicate.MessageId, out var side):
                // Applied before (a re-send after a restart, or after its answer was lost): announced again, as the
                // notice may not have gone out; its message id on the venue's exchange is the same.
                SideApplied(side.Round, side.Index, side.Side);
                return true;
            case CommandRejected rejected when _awaitedSides.Remove(rejected.MessageId, out var side):
                switch (side.Side)
                {
                    case AdlSide.Bankrupt:
                        OnBankruptSideRefused(side.Round, side.Index, rejected.Rejection);
                        break;
                    case AdlSide.Reversal:
                        OnReversalRefused(side.Round, side.Index, rejected.Rejection, attempt: 0);
                        break;
                    case AdlSide.Rebook:
                        OnReversalRefused(side.Round, side.Index, rejected.Rejection,
                            _unbalanced[(side.Round.Executed.LiquidationId, side.Round.Executed.Round, side.Round.Executed.Fills[side.Index].AccountId)].Pending!.Attempt);
                        break;
                    default:
                        OnCounterpartyRefused(side.Round, side.Index, rejected.Rejection);
                        break;
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
            case CommandAccepted or CommandDuplicate or LiquidationFeeCollected or LiquidationShortfallSettled:
                // Acknowledgements nothing waits for (a message answered a second time, after it was sent again).
                return true;
            default:
                return false;
        }
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

    private static OrderSide Opposite(OrderSide side) => side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record StepTimedOut(string LiquidationId, int Step);

    private sealed record ViewTimedOut(string LiquidationId, Phase Phase);

    private sealed record RetryLiquidation(string LiquidationId);

    private sealed record AdlViewsCollected(string LiquidationId, IReadOnlyList<AccountView> Views);
}
