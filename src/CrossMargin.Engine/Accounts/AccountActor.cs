using System.Diagnostics;
using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using Microsoft.Extensions.Logging;
using ActorProps = CrossMargin.Actors.Props;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// One account, event-sourced (persistence id <c>account-{id}</c>) and normally hosted by a <see cref="ShardRegion"/>
/// (<see cref="RegionSettings"/>). Commands (<see cref="IAccountCommand"/>) are decided by <see cref="AccountDecider"/> at
/// the newest market; accepted events are persisted, applied, and answered with <see cref="CommandAccepted"/> carrying the
/// new margin figures; duplicates with <see cref="CommandDuplicate"/>; refusals with <see cref="CommandRejected"/>.
/// <see cref="CheckPreTrade"/>, <see cref="GetAccount"/> and <see cref="ExplainMargin"/> are answered from memory.
/// </summary>
/// <remarks>
/// <para>After every accepted change, on recovery and on every relevant market change, the account re-margins at
/// <see cref="LatestMarket.Current"/>: a status change is published as <see cref="AccountStatusChanged"/>, liquidation or
/// bankruptcy is told to the breach-report reference as <see cref="AccountBreached"/> (each time, while it lasts), and
/// <see cref="AccountLimitsChanged"/> is published when its numbers change (after a mark, for the kernel's accounts, in
/// an <see cref="AccountLimitsBatch"/>). A failed assessment (a price missing from the
/// market) is logged and the last figures are kept: throwing would restart the actor into the same failure.</para>
/// <para>The account tells its parent (the shard) which topics of <see cref="ShardBroadcast"/> concern it: the underlyings
/// and settlement assets of its positions and open orders and the assets of its non-zero balances, whenever that set
/// changes. Started outside a region, that message is unhandled by its parent and harmless.</para>
/// <para>Market changes reach an account in one of two ways (<see cref="AccountActorSettings.Book"/>). An account whose
/// cross pool the re-margin kernel computes (standard cross, no isolated position) keeps an entry in its partition of the
/// node's <see cref="MarginBook"/>; the partition's <see cref="MarginPass"/> margins it in one loop with the others, writes
/// changed figures to the account's slot (which <see cref="GetAccount"/>, replies and checks read), publishes changed
/// limits for the partition in <see cref="AccountLimitsBatch"/>es, and sends <see cref="Remargined"/> only when the
/// status changes (or the account is in breach, which is reported on every re-margin): the account publishes the status
/// change and reports the breach. Any other account receives each <see cref="MarketChanged"/> and re-margins itself.
/// Either way only the account changes its state; an account whose figures did not change keeps the valuation time of
/// the market it last changed at.</para>
/// <para>Events are applied with instruments from the newest market, so an instrument must stay in the market's
/// definitions for as long as journals (after the last snapshot) mention it, or recovery fails and the actor stops.</para>
/// </remarks>
public sealed class AccountActor : PersistentActor
{
    // How many of the newest applied ids a message at an old sequence is looked for among once the window is full: a
    // re-send after a restart or a lost answer is recent; a sequence older than that is refused as out of order.
    private const int OutOfOrderLookback = 1_024;

    private readonly AccountActorSettings _settings;
    private AccountState _state;
    // The figures the account last adopted (its own, or a pass's that moved its status): their status is the one it published.
    private MarginBookFigures? _held;
    private string[] _topics = [];
    private bool _selfMarginTopics;
    private IActorRef? _persistingFor;
    private string? _unavailable;
    private MarginBookPartition? _partition;
    private MarginBookSlot? _slot;
    // The version of the slot the account wrote its entry as (0 while it has none), and whether the slot holds _held.
    private int _version;
    private bool _heldWritten;
    private AccountMarginModels? _routedWith;

    private AccountActor(string? accountId, AccountActorSettings settings)
        : base(settings.Persistence)
    {
        _settings = settings;
        _state = new AccountState(accountId ?? ShardRegion.EntityIdOf(Self), settings.DedupeCapacity);
    }

    /// <inheritdoc />
    // Made on each use rather than kept: a field and its string on every live account would cost more memory than the
    // one short string per persisted command costs in allocation.
    public override string PersistenceId => "account-" + _state.AccountId;

    /// <summary>The props of the actor of account <paramref name="accountId"/>.</summary>
    public static ActorProps Props(string accountId, AccountActorSettings settings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        ArgumentNullException.ThrowIfNull(settings);
        return ActorProps.Create(() => new AccountActor(accountId, settings));
    }

    /// <summary>
    /// The props of every account actor of a region: one instance for all of them, each actor reading its account id from
    /// its name (<see cref="ShardRegion.EntityIdOf"/>).
    /// </summary>
    public static ActorProps EntityProps(AccountActorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return ActorProps.Create(() => new AccountActor(null, settings));
    }

    /// <summary>A region of accounts: type name "account", <paramref name="shardCount"/> shards, one actor per account id.</summary>
    public static ShardRegionSettings RegionSettings(AccountActorSettings settings, int shardCount)
    {
        var props = EntityProps(settings);
        return new("account", shardCount, _ => props);
    }

    /// <inheritdoc />
    protected override void ReceiveRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: AccountSnapshot snapshot }:
                _state = AccountState.FromSnapshot(snapshot);
                break;
            case IAccountEvent @event:
                _state.Apply(@event, InstrumentLookup.Of(_settings.Market.Current));
                break;
            case RecoveryCompleted:
                AfterChange();
                break;
        }
    }

    /// <inheritdoc />
    protected override bool ReceiveCommand(object message)
    {
        if (_unavailable is { } reason)
        {
            return RefuseWhileUnavailable(message, reason);
        }

        switch (message)
        {
            case IAccountCommand command:
                Handle(command);
                return true;
            case ApplyInSequence inSequence:
                HandleInSequence(inSequence.Command);
                return true;
            case MarketChanged:
                // A parameter set applied since the account last chose its route brings new calculators, hence new kernels:
                // an entry kept with the old kernel would go on being margined with the old parameters.
                Remargin(null, reroute: !ReferenceEquals(_routedWith, _settings.Models));
                return true;
            case Remargined remargined:
                // Figures for an older entry are for holdings the account no longer has; it margined its new ones itself.
                // The pass published their limits.
                if (_version != 0 && remargined.Figures.For == _version)
                {
                    var from = _held?.Status ?? MarginStatus.Healthy;
                    (_held, _heldWritten) = (remargined.Figures, false);
                    Announce(from, remargined.Figures);
                }

                return true;
            case PublishLimits:
                if (_state.IsOpen && Figures is { } figures)
                {
                    Context.System.EventStream.Publish(figures.ToLimits(_state.AccountId));
                }

                return true;
            case CheckPreTrade check:
                Sender.Tell(PreTrade(check), Self);
                PassivateIfNotOpen();
                return true;
            case GetAccount:
                Sender.Tell(_state.IsOpen ? View() : new AccountNotOpen(_state.AccountId), Self);
                PassivateIfNotOpen();
                return true;
            case ExplainMargin:
                if (_state.IsOpen)
                {
                    Explain();
                }
                else
                {
                    Sender.Tell(new AccountNotOpen(_state.AccountId), Self);
                    PassivateIfNotOpen();
                }

                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc />
    protected override object? SnapshotState() => _state.ToSnapshot();

    /// <inheritdoc />
    protected override IReadOnlyList<string> TagsFor(object persistedEvent) => persistedEvent is AccountOpened
        ? _settings.Shard is { } shard ? [AccountTags.Opened, AccountTags.OpenedInShard(shard)] : [AccountTags.Opened]
        : [];

    /// <inheritdoc />
    protected override bool StopOnPersistFailure => false;

    /// <summary>How long an account whose write failed refuses everything before it stops and recovers from its journal.</summary>
    internal static TimeSpan UnavailableFor { get; } = TimeSpan.FromSeconds(1);

    // The failed command is answered at once, and everything after it for a moment too: a caller that keeps its messages
    // in order (a shard's queue) sees the failure before a later message could reach a fresh incarnation and be applied
    // ahead of the one that failed. Then the account stops, and the next message recovers it from the journal.
    /// <inheritdoc />
    protected override void OnPersistFailure(Exception cause, long fromSequenceNr, int count)
    {
        var reason = cause is Persistence.Journal.JournalFencedException ? "its shard moved to another node" : "its journal write failed";
        Context.Log.LogError(cause, "Account {AccountId}: persisting {Count} events from sequence number {SequenceNr} failed; refusing messages for {Delay}, then recovering",
            _state.AccountId, count, fromSequenceNr, UnavailableFor);
        _unavailable = reason;
        _persistingFor?.Tell(new Status.Failure(new AccountUnavailableException(_state.AccountId, reason, cause)), Self);
        _persistingFor = null;
        Timers.StartSingleTimer(nameof(AccountUnavailableException), RecoverAfterFailure.Instance, UnavailableFor);
    }

    private bool RefuseWhileUnavailable(object message, string reason)
    {
        switch (message)
        {
            case RecoverAfterFailure:
                Context.Parent.Tell(new Passivate(PoisonPill.Instance), Self);
                return true;
            case MarketChanged or Remargined or PublishLimits:
                return true;
            case IAccountCommand or ApplyInSequence or CheckPreTrade or GetAccount or ExplainMargin:
                Sender.Tell(new Status.Failure(new AccountUnavailableException(_state.AccountId, reason)), Self);
                return true;
            default:
                return false;
        }
    }

    private sealed class RecoverAfterFailure
    {
        public static readonly RecoverAfterFailure Instance = new();
    }

    private void HandleInSequence(IAccountCommand command)
    {
        // Only an open account has sequences to be ahead of; anything else (a duplicate, an old sequence, an account not
        // open, a malformed envelope) is decided as usual.
        if (_state.IsOpen && command.Source is { } source && command.MessageId is { } id
            && _state.Messages.Check(id, source, command.Sequence) is { Verdict: MessageVerdict.Accepted or MessageVerdict.PossibleDuplicate, Gap: { } gap })
        {
            Sender.Tell(new CommandAhead(id, gap), Self);
            return;
        }

        Handle(command);
    }

    private void Handle(IAccountCommand command, bool idConfirmedNew = false)
    {
        // Executions only: "execution to margin updated" is the latency the venue waits on; zero means not measured.
        var received = command is ApplyExecution ? Stopwatch.GetTimestamp() : 0L;
        AccountDecision decision;
        var decidedAt = _settings.Market.Current;
        try
        {
            decision = AccountDecider.Decide(_state, command, decidedAt, _settings.Models, idConfirmedNew);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            Context.Log.LogWarning(e, "Account {AccountId}: command {MessageId} could not be decided at the current market", _state.AccountId, command.MessageId);
            Sender.Tell(new CommandRejected(command.MessageId, new Rejection(RejectionCode.AssessmentFailed,
                $"Account {_state.AccountId} could not be margined at the current market: {e.Message}")), Self);
            return;
        }

        var replyTo = Sender;
        switch (decision.Outcome)
        {
            case DecisionOutcome.Duplicate:
                replyTo.Tell(new CommandDuplicate(command.MessageId), Self);
                return;
            case DecisionOutcome.Rejected:
                replyTo.Tell(new CommandRejected(command.MessageId, decision.Rejection!), Self);
                PassivateIfNotOpen();
                return;
            case DecisionOutcome.Unconfirmed:
                ConfirmThenHandle(command);
                return;
        }

        if (decision.Gap is { } gap)
        {
            Context.Log.LogWarning("Account {AccountId}: message {MessageId} from {Source} skipped sequence {From} to {To}; applied anyway",
                _state.AccountId, command.MessageId, gap.Source, gap.From, gap.To);
        }

        if (decision.Events.Count == 0)
        {
            replyTo.Tell(new CommandAccepted(command.MessageId, decision.Events, Figures?.ToSummary(), decision.Gap), Self);
            return;
        }

        var remaining = decision.Events.Count;
        bool? adopt = null;
        _persistingFor = replyTo;
        PersistAll(decision.Events, @event =>
        {
            // The mailbox was held since the decision, so the state is the one decided on; at the same market, applying the
            // events again would only rebuild what the decider's copy holds: record their ids and adopt the copy's holdings.
            // Chosen once for all the command's events, so that a market moving between two of them cannot split the way.
            adopt ??= decision.StateAfter is not null && ReferenceEquals(decidedAt, _settings.Market.Current);
            if (adopt.Value)
            {
                _state.RecordDecided(@event, decision);
            }
            else
            {
                _state.Apply(@event, InstrumentLookup.Of(_settings.Market.Current));
            }

            if (--remaining == 0)
            {
                // Whether the command left the symbols held and the assets with a balance as they were (nearly every fill):
                // the topics are then those registered after the last change, and checking them again is skipped.
                var topicsKept = false;
                if (adopt.Value)
                {
                    topicsKept = _state.SameTopicShapeAs(decision.StateAfter!);
                    _state.AdoptDecided(decision.StateAfter!);
                }

                _persistingFor = null;
                // The decider assessed exactly this state (its copy with the same events applied); reuse it when the
                // market is still the one it was decided at, which is nearly always: assessing is most of a command's CPU.
                // So are its compiled holdings, when the calculators are still those it was decided with (the kernel says so).
                if (ReferenceEquals(decidedAt, _settings.Market.Current))
                {
                    AfterChange(decision, topicsKept);
                }
                else
                {
                    AfterChange();
                }

                if (received != 0)
                {
                    EngineMetrics.ExecutionMarginLatency.Record(Stopwatch.GetElapsedTime(received).TotalMilliseconds);
                }

                replyTo.Tell(new CommandAccepted(command.MessageId, decision.Events, Figures?.ToSummary(), decision.Gap), Self);
            }
        });
    }

    // The id's fingerprint matches a recent one at a new sequence: a retry its source renumbered, or (about once in 67
    // million messages) another id with the same fingerprint. Only the journal, which holds every applied id, can tell.
    // Or the message is at an old sequence and its id not in the full window: applied before and since forgotten, or
    // new; it is looked for among the last OutOfOrderLookback ids, beyond which it stays "out of order" (applied in
    // neither case; a source flooding old sequences cannot make the account read its whole journal each time). Both are
    // rare enough to hold the account's later messages while it reads (they must not overtake this one).
    private void ConfirmThenHandle(IAccountCommand command)
    {
        var replyTo = Sender;
        var outOfOrder = _state.Messages.Check(command.MessageId, command.Source, command.Sequence).Verdict == MessageVerdict.OutOfOrder;
        Defer(() => FindInJournalAsync(command.MessageId, outOfOrder ? OutOfOrderLookback : _state.Messages.Capacity), found =>
        {
            switch (found.Outcome)
            {
                case IdLookup.Applied:
                    replyTo.Tell(new CommandDuplicate(command.MessageId), Self);
                    break;
                case IdLookup.NotApplied:
                    Handle(command, idConfirmedNew: true);
                    break;
                case IdLookup.Unknown or IdLookup.Failed when outOfOrder:
                    // Whatever the journal could not tell, a message at an old sequence is not applied: refused as before.
                    Handle(command, idConfirmedNew: true);
                    break;
                case IdLookup.Unknown:
                    // The events that would settle it were deleted after a snapshot. Applying could apply a message twice;
                    // refusing loses nothing: the venue sees why, and the id can be checked by hand.
                    replyTo.Tell(new CommandRejected(command.MessageId, new Rejection(RejectionCode.PossibleDuplicate,
                        $"Message {command.MessageId} may have been applied already under another sequence, and the journal no longer holds "
                        + "the events that would tell: nothing was applied. Resend it under a new id if it is new.")), Self);
                    break;
                default:
                    Context.Log.LogError(found.Error, "Account {AccountId}: reading the journal to confirm message {MessageId} failed", _state.AccountId, command.MessageId);
                    replyTo.Tell(new Status.Failure(new AccountUnavailableException(_state.AccountId,
                        $"its journal could not be read to tell whether message {command.MessageId} was applied", found.Error)), Self);
                    break;
            }
        });
    }

    // Reads back, newest first, until the id is found or `enough` distinct ids have been seen: for a fingerprint match,
    // as many as the window remembers (the fingerprint matched one of those, so an id not among them is new, as new as
    // any id beyond the window).
    private async Task<(IdLookup Outcome, Exception? Error)> FindInJournalAsync(string messageId, int enough)
    {
        try
        {
            enough = Math.Max(1, enough);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var to = LastSequenceNr;
            for (var span = (long)enough; to >= 1; span *= 2)
            {
                var from = Math.Max(1, to - span + 1);
                var events = new List<IAccountEvent>();
                await foreach (var stored in ReadEventsAsync(from, to).ConfigureAwait(true))
                {
                    if (stored is IAccountEvent @event)
                    {
                        events.Add(@event);
                    }
                }

                for (var i = events.Count - 1; i >= 0; i--)
                {
                    if (string.Equals(events[i].MessageId, messageId, StringComparison.Ordinal))
                    {
                        return (IdLookup.Applied, null);
                    }

                    if (seen.Add(events[i].MessageId) && seen.Count >= enough)
                    {
                        return (IdLookup.NotApplied, null);
                    }
                }

                if (events.Count < to - from + 1)
                {
                    return (IdLookup.Unknown, null);
                }

                to = from - 1;
            }

            return (IdLookup.NotApplied, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (IdLookup.Failed, e);
        }
    }

    private enum IdLookup
    {
        Applied,
        NotApplied,
        Unknown,
        Failed,
    }

    private void AfterChange(AccountDecision? decided = null, bool topicsKept = false)
    {
        if (!_state.IsOpen)
        {
            return;
        }

        Remargin(decided, reroute: true, topicsKept);
    }

    /// <summary>
    /// The figures the account holds now: those its partition's pass wrote for its current entry (the newest market the
    /// pass has seen), else its own.
    /// </summary>
    private MarginBookFigures? Figures =>
        (_version != 0 ? _slot!.FiguresFor(_version) : null) ?? _held;

    /// <inheritdoc />
    protected override void PostStop()
    {
        if (_slot is not null)
        {
            _partition!.Leave(_slot);
            _slot = null;
        }

        base.PostStop();
    }

    /// <summary>
    /// Decides how market moves reach the account. When its mode's calculator has a kernel and the kernel takes its
    /// holdings (no isolated position), the account keeps an entry in its shard's <see cref="MarginBook"/> partition and
    /// registers only its plain topics (for queries by underlying): the partition's <see cref="MarginPass"/> margins it and
    /// tells it only what changed. Otherwise it also registers its <see cref="SelfMarginTopic"/>s and re-margins itself on
    /// each <see cref="MarketChanged"/>.
    /// </summary>
    /// <param name="decided">The decision whose state this is, decided at the current market (its compiled holdings are reused), or null.</param>
    /// <param name="topicsKept">Whether the change left the held symbols and balance assets as they were (<see cref="AccountState.SameTopicShapeAs"/>).</param>
    private void Route(AccountDecision? decided, bool topicsKept = false)
    {
        var book = _settings.Book;
        var models = _routedWith = _settings.Models;
        var kernel = book is not null && models.Offers(_state.Mode) ? MarginBook.KernelFor(models.For(_state.Mode)) : null;
        var holdings = kernel is null ? null
            : decided?.HoldingsAfter is { } compiled && ReferenceEquals(decided.KernelAfter, kernel) ? compiled
            : kernel.Compile(_state.BalanceList, _state.PositionList, _state.OpenOrderList);
        if (holdings is null)
        {
            _slot?.Clear();
            _version = 0;
        }
        else
        {
            if (_slot is null)
            {
                (_partition, _slot) = book!.Join(_state.AccountId, Self);
            }

            _version = _slot.Write(new MarginBookEntry(_state.AccountId, kernel!, holdings, _held));
            _heldWritten = true;
        }

        UpdateInterest(selfMargined: holdings is null, topicsKept);
    }

    /// <summary>
    /// The topic under which an account that re-margins itself hears that <paramref name="name"/> (an underlying or an
    /// asset) moved: accounts the kernel margins register only the plain names, which queries of the accounts on an
    /// underlying (auto-deleveraging, the node's account lists) still use.
    /// </summary>
    internal static string SelfMarginTopic(string name) => "remargin:" + name;

    // The account re-margined itself (a mark the kernel could not compute): its entry must show the figures it now holds.
    private void RefreshEntry()
    {
        if (_version != 0 && !_heldWritten)
        {
            _version = _slot!.WriteHeld(_held);
            _heldWritten = true;
        }
    }

    /// <summary>
    /// A message for an account that was never opened (a mistyped id, a probe) must not leave an actor behind: ask the
    /// shard to stop this one. Outside a region (tests, tools) the parent is the user guardian and there is nothing to ask.
    /// </summary>
    private void PassivateIfNotOpen()
    {
        if (!_state.IsOpen && Context.Parent.Path.Depth > 1)
        {
            Context.Parent.Tell(new Passivate(PoisonPill.Instance), Self);
        }
    }

    /// <summary>
    /// Re-margins at <see cref="LatestMarket.Current"/>, writes the entry (a new route when <paramref name="reroute"/>),
    /// then publishes: the entry first, so that a pass publishing limits for the old entry sees it changed and has the
    /// account publish again (<see cref="PublishLimits"/>) rather than leave its older numbers the last ones out.
    /// </summary>
    /// <param name="decided">The decision whose state this is, decided at <see cref="LatestMarket.Current"/> (its figures and compiled holdings are reused), or null.</param>
    /// <param name="reroute">Whether to decide the route again (the holdings or the calculators changed).</param>
    /// <param name="topicsKept">Whether the change left the held symbols and balance assets as they were.</param>
    private void Remargin(AccountDecision? decided, bool reroute, bool topicsKept = false)
    {
        var published = Figures;
        var from = _held?.Status ?? MarginStatus.Healthy;
        var now = Assess(decided);
        if (reroute)
        {
            Route(decided, topicsKept);
        }
        else
        {
            RefreshEntry();
        }

        if (now is null)
        {
            return;
        }

        Announce(from, now.Value);
        if (!now.Value.SameLimitsAs(published))
        {
            Context.System.EventStream.Publish(now.Value.ToLimits(_state.AccountId));
        }
    }

    private MarginBookFigures? Assess(AccountDecision? decided)
    {
        if (!_state.IsOpen)
        {
            return null;
        }

        var market = _settings.Market.Current;
        try
        {
            _held = decided?.HeldAfter ?? MarginBookFigures.Of(_settings.Models.Figures(_state, market), SettlementPrices.For(market));
            _heldWritten = false;
            return _held;
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            Context.Log.LogWarning(e, "Account {AccountId} could not be margined at the market of {ValuationTime}; keeping the last figures",
                _state.AccountId, market.ValuationTime);
            return null;
        }
    }

    // A status change is published once, from the status last published; a breach is reported on every re-margin.
    private void Announce(MarginStatus from, in MarginBookFigures now)
    {
        if (now.Status != from)
        {
            if (now.Status > from && !IsRecovering)
            {
                EngineMetrics.MarginStateEntered.Add(1, new KeyValuePair<string, object?>("state", now.Status.ToString()));
            }

            Context.System.EventStream.Publish(new AccountStatusChanged(_state.AccountId, from, now.Status, now.EquityUsd, now.InitialMarginUsd,
                now.MaintenanceMarginUsd, now.ValuationTime));
        }

        if (now.Status is MarginStatus.Liquidation or MarginStatus.Bankrupt)
        {
            _settings.BreachReports.Tell(new AccountBreached(_state.AccountId, now.Status, now.EquityUsd, now.InitialMarginUsd, now.MaintenanceMarginUsd,
                now.ValuationTime), Self);
        }
    }

    /// <summary>
    /// Tells the shard the account's topics when they changed: the underlyings and settlement assets of its positions and
    /// orders, and the assets of its non-zero balances. Checked without allocating (nearly every change leaves them as they were),
    /// and not at all when <paramref name="topicsKept"/>: the change kept the symbols and assets the topics were last
    /// registered for, at the same market's instruments. (An instrument that left the market since then drops out of the
    /// topics at the account's next change of symbols or assets, not at its next fill: the cost of a check on every command
    /// was ~3% of an execution's CPU.)
    /// </summary>
    private void UpdateInterest(bool selfMargined, bool topicsKept = false)
    {
        var market = _settings.Market.Current;
        if (_topics.Length is > 0 and <= 64 && selfMargined == _selfMarginTopics && (topicsKept || SameTopics(market)))
        {
            return;
        }

        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var position in _state.PositionList)
        {
            AddInstrumentTopics(topics, market, position.Symbol);
        }

        foreach (var order in _state.OpenOrderList)
        {
            AddInstrumentTopics(topics, market, order.Symbol);
        }

        foreach (var balance in _state.BalanceList)
        {
            if (balance.Amount != 0)
            {
                topics.Add(balance.Asset);
            }
        }

        if (!topics.SequenceEqual(_topics, StringComparer.Ordinal) || selfMargined != _selfMarginTopics)
        {
            _topics = TopicSets.Default.Share(topics.ToArray());
            _selfMarginTopics = selfMargined;
            if (selfMargined)
            {
                topics.UnionWith(_topics.Select(SelfMarginTopic));
            }

            Context.Parent.Tell(new RegisterInterest(_state.AccountId, topics), Self);
        }
    }

    private static void AddInstrumentTopics(SortedSet<string> topics, MarketSnapshot market, string symbol)
    {
        if (market.FindInstrument(symbol) is { } instrument)
        {
            topics.Add(instrument.Underlying);
            topics.Add(instrument.SettlementAsset);
        }
    }

    // Whether the topics of the state are exactly _topics (at most 64 of them, one bit each).
    private bool SameTopics(MarketSnapshot market)
    {
        // Indexed loops: foreach over the lists' interface would allocate an enumerator each, on every command.
        var seen = 0UL;
        var positions = _state.PositionList;
        for (var i = 0; i < positions.Count; i++)
        {
            if (!MarkInstrumentTopics(ref seen, market, positions[i].Symbol))
            {
                return false;
            }
        }

        var orders = _state.OpenOrderList;
        for (var i = 0; i < orders.Count; i++)
        {
            if (!MarkInstrumentTopics(ref seen, market, orders[i].Symbol))
            {
                return false;
            }
        }

        var balances = _state.BalanceList;
        for (var i = 0; i < balances.Count; i++)
        {
            if (balances[i].Amount != 0 && !Mark(ref seen, balances[i].Asset))
            {
                return false;
            }
        }

        return System.Numerics.BitOperations.PopCount(seen) == _topics.Length;
    }

    private bool MarkInstrumentTopics(ref ulong seen, MarketSnapshot market, string symbol) =>
        market.FindInstrument(symbol) is not { } instrument || (Mark(ref seen, instrument.Underlying) && Mark(ref seen, instrument.SettlementAsset));

    private bool Mark(ref ulong seen, string topic)
    {
        // Nearly always the very instance _topics holds (an instrument's underlying and settlement asset are the market's
        // strings, the same in every snapshot): a scan by reference of a handful of topics before the ordinal search, which
        // with the instrument lookups was ~3% of an execution's CPU on every command.
        var topics = _topics;
        for (var i = 0; i < topics.Length; i++)
        {
            if (ReferenceEquals(topics[i], topic))
            {
                seen |= 1UL << i;
                return true;
            }
        }

        var index = Array.BinarySearch(topics, topic, StringComparer.Ordinal);
        if (index < 0)
        {
            return false;
        }

        seen |= 1UL << index;
        return true;
    }

    private PreTradeResult PreTrade(CheckPreTrade check)
    {
        try
        {
            return AccountDecider.CheckPreTrade(_state, check, _settings.Market.Current, _settings.Models);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            Context.Log.LogWarning(e, "Account {AccountId}: pre-trade check {MessageId} could not be margined", _state.AccountId, check.MessageId);
            var rejection = new Rejection(RejectionCode.AssessmentFailed, $"Account {_state.AccountId} could not be margined at the current market: {e.Message}");
            var figures = Figures;
            return new PreTradeResult(false, rejection, figures?.EquityUsd ?? 0m, figures?.InitialMarginUsd ?? 0m, figures?.AvailableUsd ?? 0m,
                figures?.InitialMarginUsd ?? 0m);
        }
    }

    private AccountView View()
    {
        var snapshot = _state.ToSnapshot();
        return new AccountView(_state.AccountId, _state.Mode, snapshot.Balances, snapshot.Positions, snapshot.OpenOrders, Figures?.ToSummary(),
            snapshot.Messages.Sources);
    }

    private void Explain()
    {
        try
        {
            Sender.Tell(_settings.Models.Assess(_state, _settings.Market.Current), Self);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            Sender.Tell(new Status.Failure(e), Self);
        }
    }
}
