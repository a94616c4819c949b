using CrossMargin.Actors;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence;

namespace CrossMargin.Engine.Accounts;

/// <summary>What every <see cref="AccountActor"/> of a node shares.</summary>
/// <param name="Persistence">Journal, writer and snapshot store; its registry must have the account types (<see cref="AccountEvents.Register"/>).</param>
/// <param name="InitialModels">The margin calculators when no <see cref="LiveModels"/> are given (tests, tools).</param>
/// <param name="Market">The node's newest market: what accounts recover, decide and re-margin at.</param>
/// <param name="BreachReports">Where <see cref="AccountBreached"/> goes (the liquidation coordinator); <see cref="ActorRefs.Nobody"/> for none.</param>
/// <param name="DedupeCapacity">How many recent message ids a new account remembers (an existing one keeps its snapshot's).</param>
public sealed record AccountActorSettings(
    PersistenceServices Persistence,
    AccountMarginModels InitialModels,
    LatestMarket Market,
    IActorRef BreachReports,
    int DedupeCapacity = MessageLedger.DefaultCapacity)
{
    /// <summary>In a cluster, the shard the account is served in (its opening is tagged with it); null on an embedded node.</summary>
    public int? Shard { get; init; }

    /// <summary>The node's calculators, swapped when an operator applies a parameter set; null: <see cref="InitialModels"/> for good.</summary>
    public CurrentMarginModels? LiveModels { get; init; }

    /// <summary>
    /// How far beyond its source's highest applied sequence a message's may be (<see cref="MessageLedger.DefaultMaxJump"/>
    /// unless set): one further is refused <see cref="RejectionCode.SequenceJump"/>. 1 or more.
    /// </summary>
    public long MaxSequenceJump
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = MessageLedger.DefaultMaxJump;

    /// <summary>The calculators in force now: read for every decision, check and re-margin, never kept.</summary>
    public AccountMarginModels Models => LiveModels?.Current ?? InitialModels;

    /// <summary>
    /// The node's re-margin book: accounts the kernel can margin join it and are re-margined by their partition's
    /// <see cref="MarginPass"/> instead of each handling every <see cref="Prices.MarketChanged"/>. Null (accounts started
    /// outside an engine): every account re-margins itself.
    /// </summary>
    internal MarginBook? Book { get; init; }
}
