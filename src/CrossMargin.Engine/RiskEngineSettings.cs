using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Journal;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;

namespace CrossMargin.Engine;

/// <summary>What <see cref="RiskEngine.Start"/> needs: the venue's market, the margin models, persistence and tuning.</summary>
/// <param name="OpeningMarket">The market the engine opens with (instruments, underlyings, first prices).</param>
/// <param name="Assets">Every asset with an index price (a snapshot cannot list them).</param>
/// <param name="Models">The calculators behind each margin mode.</param>
/// <param name="Persistence">Journal, writer, snapshot store and the registry (with <see cref="RiskEngine.RegisterEvents"/> applied).</param>
/// <param name="ShardCount">Shards of the account region; fixed for the life of a journal.</param>
/// <param name="Prices">Price validation and conflation.</param>
/// <param name="Liquidation">Forced liquidation and the insurance fund.</param>
/// <param name="AskTimeout">How long a caller waits for an account or the price feed to answer.</param>
public sealed record RiskEngineSettings(
    MarketSnapshot OpeningMarket,
    IReadOnlyList<string> Assets,
    AccountMarginModels Models,
    PersistenceServices Persistence,
    int ShardCount,
    PriceOptions Prices,
    LiquidationOptions Liquidation,
    TimeSpan AskTimeout)
{
    /// <summary>
    /// In a cluster: the fence of each shard's lease, read by its accounts before every append, so a node that lost a
    /// shard cannot extend its accounts' histories. Null in embedded mode (unfenced writes).
    /// </summary>
    public Func<int, WriteFence>? ShardFence { get; init; }

    /// <summary>
    /// Whether this engine runs the liquidation coordinator and the insurance fund from the start. Off on cluster
    /// nodes, which run them only while they hold the singleton lease (<see cref="RiskEngine.StartLiquidation"/>).
    /// </summary>
    public bool RunLiquidation { get; init; } = true;

    /// <summary>
    /// Where accounts report breaches instead of this engine's own coordinator: in a cluster, a forwarder to the
    /// coordinator's node. Null: the coordinator started with the engine (or nobody, without <see cref="RunLiquidation"/>).
    /// </summary>
    public IActorRef? BreachReports { get; init; }

    /// <summary>How far beyond its source's highest applied sequence an account accepts a message's (<see cref="AccountActorSettings.MaxSequenceJump"/>).</summary>
    public long MaxSequenceJump { get; init; } = MessageLedger.DefaultMaxJump;

    /// <summary>
    /// The schedules by which the venue lists dated contracts as time passes, beside <see cref="OpeningMarket"/>'s own
    /// instruments: those listed by the engine's start are in its opening market, those listed later join it at their
    /// listing time (see <see cref="Prices.MarketDefinition.Scheduled"/>).
    /// </summary>
    public IReadOnlyList<ListingSchedule> Listing { get; init; } = [];
}
