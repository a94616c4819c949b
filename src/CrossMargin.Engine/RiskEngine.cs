using System.Collections.Concurrent;
using System.Collections.Frozen;
using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;

namespace CrossMargin.Engine;

/// <summary>
/// The engine on one actor system: the account region, the price feed and the relay between them, and the calls a
/// host makes into them (each an Ask with the configured timeout). Hosts (the node, tests, the simulator) compose it;
/// they own the actor system and persistence and shut them down.
/// </summary>
public sealed class RiskEngine
{
    private readonly TimeSpan _timeout;

    private readonly RiskEngineSettings _settings;

    // The calls below send through it: straight into a running shard's mailbox, without a turn of the region's.
    private readonly ShardRouter _accounts;
    private readonly PriceCounters _priceCounters;

    private RiskEngine(ActorSystem system, LatestMarket market, CurrentMarginModels models, ShardRouter accounts, IActorRef prices, PriceCounters priceCounters,
        LiquidationSingleton? liquidation, RiskEngineSettings settings)
    {
        _priceCounters = priceCounters;
        _settings = settings;
        _accounts = accounts;
        Models = models;
        Liquidation = liquidation;
        System = system;
        Market = market;
        Accounts = accounts.Region;
        Prices = prices;
        Coordinator = liquidation?.Coordinator ?? ActorRefs.Nobody;
        InsuranceFund = liquidation?.InsuranceFund ?? ActorRefs.Nobody;
        _timeout = settings.AskTimeout;
    }

    /// <summary>What the engine was started with.</summary>
    public RiskEngineSettings Settings => _settings;

    /// <summary>The actor system the engine runs on.</summary>
    public ActorSystem System { get; }

    /// <summary>The newest published market.</summary>
    public LatestMarket Market { get; }

    /// <summary>The calculators in force (<see cref="RiskEngineSettings.Models"/> until <see cref="ApplyModels"/> replaces them).</summary>
    public CurrentMarginModels Models { get; }

    /// <summary>The account region: send <see cref="ShardEnvelope"/>s.</summary>
    public IActorRef Accounts { get; }

    /// <summary>The price feed: send <see cref="UpdateIndex"/>, <see cref="UpdateMark"/>, <see cref="UpdatePrices"/>.</summary>
    public IActorRef Prices { get; }

    /// <summary>The coordinator and the fund started with the engine (<see cref="RiskEngineSettings.RunLiquidation"/>); null on a cluster node.</summary>
    public LiquidationSingleton? Liquidation { get; }

    /// <summary>The liquidation coordinator: breaches, order reports, halts, queries.</summary>
    public IActorRef Coordinator { get; }

    /// <summary>The insurance fund.</summary>
    public IActorRef InsuranceFund { get; }

    /// <summary>Registers every event and snapshot type the engine persists.</summary>
    public static EventTypeRegistry RegisterEvents(EventTypeRegistry registry) => PriceEvents.Register(LiquidationEvents.Register(AccountEvents.Register(registry)));

    /// <summary>Starts the engine's actors on <paramref name="system"/>.</summary>
    public static RiskEngine Start(ActorSystem system, RiskEngineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        var now = system.TimeProvider.GetUtcNow();
        var opening = settings.OpeningMarket;
        var scheduled = ListingSchedule.ContractsUntil(settings.Listing, opening.Instruments.Concat(opening.ExpiredInstruments), now + MarketDefinition.ListingHorizon);
        // A liquidation order cut to an increment off the venue's lot would be refused by the venue, its fills by the accounts.
        var offLot = settings.Liquidation.ToParameters().IncrementsOffLot(
            opening.Instruments.Concat(scheduled.Select(c => c.Instrument)), settings.Listing);
        if (offLot.Count > 0)
        {
            throw new ArgumentException("Liquidation:QuantityIncrements / DefaultQuantityIncrement: " + string.Join(" ", offLot), nameof(settings));
        }

        var market = new LatestMarket(Restamp(opening, settings.Assets, now, [.. scheduled.Where(c => c.ListedAt <= now)]));
        var live = new CurrentMarginModels(settings.Models);

        // Accounts report breaches to the coordinator and the coordinator works through the account region: accounts
        // start on their first message, after the coordinator exists, so each reads the reference when it starts.
        IActorRef coordinator = settings.BreachReports ?? ActorRefs.Nobody;
        var book = new MarginBook(settings.ShardCount);
        var accountSettings = new AccountActorSettings(settings.Persistence, settings.Models, market, ActorRefs.Nobody) { LiveModels = live, Book = book, MaxSequenceJump = settings.MaxSequenceJump };
        var fenceOf = settings.ShardFence;
        // One props for every embedded account, and one per shard in a cluster (an account's writes are fenced by its
        // shard's lease), each remade only if the coordinator reference changed since: props, a closure and settings per
        // account would be ~250 bytes each, kept as long as the account lives. The accounts read their ids from their names.
        Tuple<IActorRef, Props>? shared = null;
        var perShard = new ConcurrentDictionary<int, Tuple<IActorRef, Props>>();
        var router = ShardRouter.Start(system, new ShardRegionSettings("account", settings.ShardCount,
            _ => (shared is { } same && ReferenceEquals(same.Item1, coordinator)
                ? same
                : shared = Tuple.Create(coordinator, AccountActor.EntityProps(accountSettings with { BreachReports = coordinator })
                    .WithMailboxCounter(EngineMetrics.AccountMailboxes))).Item2)
        {
            ShardEntityProps = fenceOf is null ? null : (shard, _) => (perShard.TryGetValue(shard, out var same) && ReferenceEquals(same.Item1, coordinator)
                ? same
                : perShard[shard] = Tuple.Create(coordinator, AccountActor.EntityProps(accountSettings with
                {
                    BreachReports = coordinator,
                    Persistence = settings.Persistence with { Fence = () => fenceOf(shard) },
                    Shard = shard,
                }).WithMailboxCounter(EngineMetrics.AccountMailboxes))).Item2,
        });
        var accounts = router.Region;
        var liquidation = settings.RunLiquidation ? StartLiquidationActors(system, settings, market, live, accounts, settings.Persistence, "") : null;
        if (liquidation is not null && settings.BreachReports is null)
        {
            coordinator = liquidation.Coordinator;
        }

        // Every scenario model an account may be margined with, composites' components included, gets its vectors built
        // once per snapshot; a model missing here would build them on the first account that needs them after each move.
        var definition = MarketDefinition.Of(market.Current, settings.Assets).WithScheduled(scheduled.Where(c => c.ListedAt > now))
            with { Listing = settings.Listing, ListedUntil = now + MarketDefinition.ListingHorizon };
        var priceCounters = new PriceCounters();
        // Each asset's last accepted index (and an armed override) is kept with the snapshots, so a restarted node bands its
        // first index against it rather than against a market file that may be far older.
        var references = new IndexReferenceStore(settings.Persistence.SnapshotStore, settings.Persistence.Registry, opening.ValuationTime);
        var prices = system.ActorOf(PriceFeed.Props(definition, market, live.ScenarioModels, settings.Prices, priceCounters, references), "prices");
        var passes = book.Partitions.Select((partition, i) => system.ActorOf(MarginPass.Props(partition), $"margin-pass-{i}")).ToArray();
        system.ActorOf(Props.Create(() => new MarketRelay(accounts, passes)), "market-relay");
        return new RiskEngine(system, market, live, router, prices, priceCounters, liquidation, settings);
    }

    /// <summary>
    /// Puts <paramref name="models"/> in force without a restart and has every live account re-margin with them at the
    /// newest market, as on a mark that moved everything: status changes are published, limits re-sent, breaches
    /// reported. Pre-trade checks, decisions and liquidation plans use them from now on. Returns the models' version.
    /// </summary>
    public long ApplyModels(AccountMarginModels models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var version = Models.Swap(models);
        var current = Market.Current;
        var everything = new HashSet<string>(_settings.Assets, StringComparer.Ordinal);
        foreach (var instrument in current.Instruments)
        {
            everything.Add(instrument.Underlying);
            everything.Add(instrument.SettlementAsset);
        }

        var topics = everything.ToFrozenSet(StringComparer.Ordinal);
        Accounts.Tell(new ShardBroadcast(new MarketChanged(current, Market.Version, topics), topics), ActorRefs.NoSender);
        return version;
    }

    /// <summary>
    /// Starts the liquidation coordinator and the insurance fund on this engine's system with <paramref name="persistence"/>
    /// (in a cluster: fenced by the singleton lease), the coordinator working through <paramref name="accounts"/> (in a
    /// cluster: a relay to the accounts' owners). Both recover from their journals. For an engine started without
    /// <see cref="RiskEngineSettings.RunLiquidation"/>; <paramref name="incarnation"/> keeps the actors' names unique
    /// when the singleton comes back to this node.
    /// </summary>
    public LiquidationSingleton StartLiquidation(IActorRef accounts, PersistenceServices persistence, string incarnation)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(persistence);
        return StartLiquidationActors(System, _settings, Market, Models, accounts, persistence, "-" + incarnation);
    }

    private static LiquidationSingleton StartLiquidationActors(ActorSystem system, RiskEngineSettings settings, LatestMarket market, CurrentMarginModels models,
        IActorRef accounts, PersistenceServices persistence, string suffix)
    {
        var fund = system.ActorOf(InsuranceFundActor.Props(persistence, market), "insurance-fund" + suffix);
        var liquidation = settings.Liquidation;
        var coordinator = system.ActorOf(LiquidationCoordinator.Props(new LiquidationCoordinatorSettings(persistence, accounts, fund, market,
            settings.Models, liquidation.ToParameters(), liquidation.BudgetInterval, liquidation.OrderTimeout, liquidation.AdlCollectWindow)
        {
            LiveModels = models,
            TakeOverAfterUnfilledSteps = liquidation.TakeOverAfterUnfilledSteps,
            LateReportHorizon = liquidation.LateReportHorizon,
            FundAccountId = string.IsNullOrEmpty(liquidation.FundAccount) ? null : liquidation.FundAccount,
            SilentAfter = settings.Prices.SilentAfter,
        }),
            "liquidation-coordinator" + suffix);
        return new LiquidationSingleton(system, coordinator, fund);
    }

    /// <summary>
    /// Starts every account whose opening carries <paramref name="tag"/> (<see cref="AccountTags"/>), in shard
    /// <paramref name="shard"/> when given: each recovers from its journal and from then on is re-margined on every mark,
    /// as if a message had reached it. Answers how many were woken. A node calls it after it starts and when it takes a
    /// shard over.
    /// </summary>
    public async Task<int> WakeAccountsAsync(string tag, int? shard = null, CancellationToken cancellationToken = default)
    {
        var woken = 0;
        await foreach (var tagged in Settings.Persistence.Journal.EventsByTag(tag, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var accountId = tagged.Event.PersistenceId["account-".Length..];
            _accounts.Tell(new ShardEnvelope(accountId, GetAccount.Instance) { ShardId = shard }, ActorRefs.NoSender);
            woken++;
        }

        return woken;
    }

    /// <summary>
    /// Sends <paramref name="command"/> to <paramref name="accountId"/>: the answer is <see cref="CommandAccepted"/>,
    /// <see cref="CommandDuplicate"/> or <see cref="CommandRejected"/>.
    /// </summary>
    public Task<object> SendAsync(string accountId, IAccountCommand command, CancellationToken cancellationToken = default) =>
        _accounts.Ask<object>(new ShardEnvelope(accountId, command), _timeout, cancellationToken);

    /// <summary>
    /// Sends <paramref name="message"/> (a command, a pre-trade check or a query) to <paramref name="accountId"/> in
    /// shard <paramref name="shardId"/>: in a cluster, the shard whose queue the message came from.
    /// </summary>
    public Task<object> SendToShardAsync(int shardId, string accountId, object message, CancellationToken cancellationToken = default) =>
        _accounts.Ask<object>(new ShardEnvelope(accountId, message) { ShardId = shardId }, _timeout, cancellationToken);

    /// <summary>Checks a hypothetical order against <paramref name="accountId"/>; nothing is written.</summary>
    public Task<PreTradeResult> CheckPreTradeAsync(string accountId, CheckPreTrade check, CancellationToken cancellationToken = default) =>
        _accounts.Ask<PreTradeResult>(new ShardEnvelope(accountId, check), _timeout, cancellationToken);

    /// <summary>The account's <see cref="AccountView"/>, or <see cref="AccountNotOpen"/>.</summary>
    public Task<object> GetAccountAsync(string accountId, CancellationToken cancellationToken = default) =>
        _accounts.Ask<object>(new ShardEnvelope(accountId, GetAccount.Instance), _timeout, cancellationToken);

    /// <summary>The account's full <see cref="AccountMargin"/> with its explanation, or <see cref="AccountNotOpen"/>.</summary>
    public Task<object> ExplainMarginAsync(string accountId, CancellationToken cancellationToken = default) =>
        _accounts.Ask<object>(new ShardEnvelope(accountId, ExplainMargin.Instance), _timeout, cancellationToken);

    /// <summary>
    /// An operator's <see cref="AcceptNextIndex"/>: the next index of <paramref name="asset"/> is accepted whatever its move
    /// from the last accepted one, once. The answer is <see cref="NextIndexWillBeAccepted"/>, or <see cref="PriceRejected"/>
    /// for an asset the market does not price (or a <paramref name="near"/> not positive). With <paramref name="near"/>,
    /// only an index within the band of it uses the override. With <paramref name="id"/> (a cluster's override), one already
    /// armed or spent under that id is answered <see cref="IndexOverrideAlreadyApplied"/> and arms nothing.
    /// </summary>
    public Task<object> AcceptNextIndexAsync(string asset, decimal? near = null, string? id = null, CancellationToken cancellationToken = default) =>
        Prices.Ask<object>(new AcceptNextIndex(asset, near, id), _timeout, cancellationToken);

    /// <summary>Sends one index or mark update: the answer is <see cref="PriceAccepted"/> or <see cref="PriceRejected"/>.</summary>
    public Task<object> UpdatePriceAsync(object update, CancellationToken cancellationToken = default) =>
        update is UpdateIndex or UpdateMark
            ? Prices.Ask<object>(update, _timeout, cancellationToken)
            : throw new ArgumentException($"Expected an {nameof(UpdateIndex)} or {nameof(UpdateMark)}, not {update?.GetType().Name}.", nameof(update));

    /// <summary>Every liquidation, active and finished.</summary>
    public Task<LiquidationList> GetLiquidationsAsync(CancellationToken cancellationToken = default) =>
        Coordinator.Ask<LiquidationList>(GetLiquidations.Instance, _timeout, cancellationToken);

    /// <summary>One liquidation's full history; faults with the coordinator's reason for an unknown id.</summary>
    public Task<LiquidationHistory> GetLiquidationAsync(string liquidationId, CancellationToken cancellationToken = default) =>
        Coordinator.Ask<LiquidationHistory>(new GetLiquidation(liquidationId), _timeout, cancellationToken);

    /// <summary>Stops (<paramref name="halt"/>) or restarts forced liquidation on <paramref name="symbol"/>; answers every halted instrument.</summary>
    public Task<HaltedInstruments> SetLiquidationHaltAsync(string symbol, bool halt, CancellationToken cancellationToken = default) =>
        Coordinator.Ask<HaltedInstruments>(halt ? new HaltLiquidation(symbol) : new ResumeLiquidation(symbol), _timeout, cancellationToken);

    /// <summary>The insurance fund: balances, value and history.</summary>
    public Task<InsuranceFundView> GetInsuranceFundAsync(CancellationToken cancellationToken = default) =>
        InsuranceFund.Ask<InsuranceFundView>(GetInsuranceFund.Instance, _timeout, cancellationToken);

    /// <summary>The insurance fund's own account (<see cref="LiquidationOptions.FundAccount"/>), or null when it has none.</summary>
    public string? FundAccountId => string.IsNullOrEmpty(_settings.Liquidation.FundAccount) ? null : _settings.Liquidation.FundAccount;

    /// <summary>Pays into the insurance fund; a repeated request id is answered as first time and pays nothing more.</summary>
    public Task<object> DepositToInsuranceFundAsync(DepositToInsuranceFund deposit, CancellationToken cancellationToken = default) =>
        InsuranceFund.Ask<object>(deposit, _timeout, cancellationToken);

    /// <summary>
    /// How old each asset's newest accepted index is now, on the engine's clock; for an underlying of a listed instrument
    /// with none accepted since the engine started, how long it has waited for one (<see cref="LatestMarket.HeardTimes"/>).
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan> IndexAges()
    {
        var now = System.TimeProvider.GetUtcNow();
        return Market.HeardTimes.ToDictionary(t => t.Key, t => now - t.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// The assets whose newest accepted index is older than <see cref="PriceOptions.SilentAfter"/> now, or, for the
    /// underlyings of listed instruments, that have had none for that long since the engine started, in ordinal order:
    /// their last (or opening) price is in force and nobody refreshes it (the coordinator pauses their liquidations meanwhile).
    /// </summary>
    public IReadOnlyList<string> SilentAssets() =>
        [.. IndexAges().Where(a => a.Value > _settings.Prices.SilentAfter).Select(a => a.Key).Order(StringComparer.Ordinal)];

    /// <summary>The price feed's counters now, read without a message (for metrics callbacks, which cannot wait).</summary>
    public PriceStats PriceStatsNow() => _priceCounters.Read(Market.IndexTimes);

    /// <summary>The price feed's counters, asked of the feed.</summary>
    public Task<PriceStats> GetPriceStatsAsync(CancellationToken cancellationToken = default) =>
        Prices.Ask<PriceStats>(GetPriceStats.Instance, _timeout, cancellationToken);

    /// <summary>
    /// The opening market valued at <paramref name="now"/> (option time to expiry counts from it), with instruments that
    /// have expired since the file was written moved from the listing to the expired ones (journals may still name them),
    /// and the <paramref name="scheduled"/> contracts listed by now added: those still live at their opening marks
    /// (<see cref="ListedContract.OpeningMark"/>), the others as expired.
    /// </summary>
    private static MarketSnapshot Restamp(MarketSnapshot opening, IReadOnlyList<string> assets, DateTimeOffset now, IReadOnlyList<ListedContract> scheduled)
    {
        var listed = scheduled.Where(c => !c.Instrument.IsExpiredAt(now)).ToArray();
        var live = opening.Instruments.Where(i => !i.IsExpiredAt(now)).Concat(listed.Select(c => c.Instrument)).ToArray();
        var expired = opening.ExpiredInstruments.Concat(opening.Instruments.Where(i => i.IsExpiredAt(now)))
            .Concat(scheduled.Select(c => c.Instrument).Where(i => i.IsExpiredAt(now))).ToArray();
        var prices = assets.Where(opening.HasPrice).ToDictionary(a => a, opening.PriceOf, StringComparer.Ordinal);
        var underlyings = live.Select(i => i.Underlying).Distinct(StringComparer.Ordinal).Select(opening.UnderlyingOf).ToArray();
        var marks = opening.Instruments.Where(i => !i.IsExpiredAt(now)).Select(i => opening.MarkOf(i.Symbol))
            .Concat(listed.Select(c => c.OpeningMark(opening.UnderlyingOf(c.Instrument.Underlying), opening.PriceOf(c.Instrument.Underlying), now))).ToArray();
        return new MarketSnapshot(now, live, prices, underlyings, marks, expired);
    }
}
