using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence;
using CrossMargin.Risk.Margin;
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
/// <para>Events are applied with instruments from the newest market, listed or expired (<see cref="InstrumentLookup"/>), so
/// an instrument must stay in the market's definitions for as long as journals (after the last snapshot) mention it, or
/// recovery fails and the actor stops; an expired one stays among the snapshot's expired instruments for that reason.</para>
/// </remarks>
public sealed partial class AccountActor : PersistentActor
{
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
    protected override void PostStop()
    {
        if (_slot is not null)
        {
            _partition!.Leave(_slot);
            _slot = null;
        }

        base.PostStop();
    }
}
