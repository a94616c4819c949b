using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Scenarios;
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

    private RiskEngine(ActorSystem system, LatestMarket market, IActorRef accounts, IActorRef prices, TimeSpan timeout)
    {
        System = system;
        Market = market;
        Accounts = accounts;
        Prices = prices;
        _timeout = timeout;
    }

    /// <summary>The actor system the engine runs on.</summary>
    public ActorSystem System { get; }

    /// <summary>The newest published market.</summary>
    public LatestMarket Market { get; }

    /// <summary>The account region: send <see cref="ShardEnvelope"/>s.</summary>
    public IActorRef Accounts { get; }

    /// <summary>The price feed: send <see cref="UpdateIndex"/>, <see cref="UpdateMark"/>, <see cref="UpdatePrices"/>.</summary>
    public IActorRef Prices { get; }

    /// <summary>Registers every event and snapshot type the engine persists.</summary>
    public static EventTypeRegistry RegisterEvents(EventTypeRegistry registry) => AccountEvents.Register(registry);

    /// <summary>Starts the engine's actors on <paramref name="system"/>.</summary>
    public static RiskEngine Start(ActorSystem system, RiskEngineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        var market = new LatestMarket(Restamp(settings.OpeningMarket, settings.Assets, system.TimeProvider.GetUtcNow()));
        var accountSettings = new AccountActorSettings(settings.Persistence, settings.Models, market, ActorRefs.Nobody);
        var accounts = ShardRegion.Start(system, AccountActor.RegionSettings(accountSettings, settings.ShardCount));
        var models = new[] { settings.Models.StandardCross.CrossModel, settings.Models.Portfolio.CrossModel }
            .OfType<ScenarioMarginModel>().Distinct().ToArray();
        var prices = system.ActorOf(PriceFeed.Props(MarketDefinition.Of(market.Current, settings.Assets), market, models, settings.Prices), "prices");
        system.ActorOf(Props.Create(() => new MarketRelay(accounts)), "market-relay");
        return new RiskEngine(system, market, accounts, prices, settings.AskTimeout);
    }

    /// <summary>
    /// Sends <paramref name="command"/> to <paramref name="accountId"/>: the answer is <see cref="CommandAccepted"/>,
    /// <see cref="CommandDuplicate"/> or <see cref="CommandRejected"/>.
    /// </summary>
    public Task<object> SendAsync(string accountId, IAccountCommand command, CancellationToken cancellationToken = default) =>
        Accounts.Ask<object>(new ShardEnvelope(accountId, command), _timeout, cancellationToken);

    /// <summary>Checks a hypothetical order against <paramref name="accountId"/>; nothing is written.</summary>
    public Task<PreTradeResult> CheckPreTradeAsync(string accountId, CheckPreTrade check, CancellationToken cancellationToken = default) =>
        Accounts.Ask<PreTradeResult>(new ShardEnvelope(accountId, check), _timeout, cancellationToken);

    /// <summary>The account's <see cref="AccountView"/>, or <see cref="AccountNotOpen"/>.</summary>
    public Task<object> GetAccountAsync(string accountId, CancellationToken cancellationToken = default) =>
        Accounts.Ask<object>(new ShardEnvelope(accountId, GetAccount.Instance), _timeout, cancellationToken);

    /// <summary>The account's full <see cref="AccountMargin"/> with its explanation, or <see cref="AccountNotOpen"/>.</summary>
    public Task<object> ExplainMarginAsync(string accountId, CancellationToken cancellationToken = default) =>
        Accounts.Ask<object>(new ShardEnvelope(accountId, ExplainMargin.Instance), _timeout, cancellationToken);

    /// <summary>Sends one index or mark update: the answer is <see cref="PriceAccepted"/> or <see cref="PriceRejected"/>.</summary>
    public Task<object> UpdatePriceAsync(object update, CancellationToken cancellationToken = default) =>
        update is UpdateIndex or UpdateMark
            ? Prices.Ask<object>(update, _timeout, cancellationToken)
            : throw new ArgumentException($"Expected an {nameof(UpdateIndex)} or {nameof(UpdateMark)}, not {update?.GetType().Name}.", nameof(update));

    /// <summary>The price feed's counters.</summary>
    public Task<PriceStats> GetPriceStatsAsync(CancellationToken cancellationToken = default) =>
        Prices.Ask<PriceStats>(GetPriceStats.Instance, _timeout, cancellationToken);

    /// <summary>
    /// The opening market valued at <paramref name="now"/> (option time to expiry counts from it), without instruments
    /// that have expired since the file was written.
    /// </summary>
    private static MarketSnapshot Restamp(MarketSnapshot opening, IReadOnlyList<string> assets, DateTimeOffset now)
    {
        var live = opening.Instruments.Where(i => !i.IsExpiredAt(now)).ToArray();
        var prices = assets.Where(opening.HasPrice).ToDictionary(a => a, opening.PriceOf, StringComparer.Ordinal);
        var underlyings = live.Select(i => i.Underlying).Distinct(StringComparer.Ordinal).Select(opening.UnderlyingOf).ToArray();
        var marks = live.Select(i => opening.MarkOf(i.Symbol)).ToArray();
        return new MarketSnapshot(now, live, prices, underlyings, marks);
    }
}
