using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Real account actors in a shard region, the insurance fund and the coordinator on one SQLite journal, on a manual
/// clock. Parameters: stop at MM x 1.05, steps of at most 25%, fee 0.1% of notional, limits within 2% of the mark,
/// 10 contracts per 1 s interval, quantities in 0.1.
/// </summary>
public abstract class LiquidationTestKit(ITestOutputHelper output) : Actors.TestKit.TestKit(output, new TestKitSettings { ManualTime = true })
{
    protected const string Venue = AccountFixture.Venue;
    protected const string Btc = TestMarket.BtcUsdt;

    /// <summary>The auto-deleverage collect window the coordinator runs with.</summary>
    protected static readonly TimeSpan CollectWindow = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long an account's answer may take: each is a journal write, and a loaded machine's disk stalled one past the
    /// probes' default 3 s (1,030 deposits in a row, MoneyInFlightTests). A bound, not a wait: the answer ends it.
    /// </summary>
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, long> _venueSequences = new(StringComparer.Ordinal);
    private int _ids;

    protected static EventTypeRegistry Registry { get; } = LiquidationEvents.Register(AccountEvents.Register(new EventTypeRegistry()));

    /// <summary>The parameters the coordinator runs with (the type's summary lists them).</summary>
    protected virtual LiquidationParameters Parameters { get; } = new(0.05m, 0.25m, 0.001m, 0.02m, 10m);

    /// <summary>The fund's own account the coordinator runs with; none by default.</summary>
    protected virtual string? FundAccount => null;

    /// <summary>How long the coordinator remembers an expired order for a late report; a day by default.</summary>
    protected virtual TimeSpan LateReportHorizon => TimeSpan.FromDays(1);

    /// <summary>The silence bound of the underlyings' indices the coordinator runs with; none by default.</summary>
    protected virtual TimeSpan? SilentAfter => null;

    protected AccountHost Host { get; private set; } = null!;

    protected PersistenceServices Services => Host.Services with { Registry = Registry };

    protected LatestMarket Market => Host.Market;

    protected IActorRef Region { get; private set; } = ActorRefs.Nobody;

    protected IActorRef Fund { get; private set; } = ActorRefs.Nobody;

    protected IActorRef Coordinator { get; private set; } = ActorRefs.Nobody;

    protected ManualTime Clock => Time!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Host = await AccountHost.OpenAsync();
        Fund = Sys.ActorOf(InsuranceFundActor.Props(Services, Market), "insurance-fund");

        // Accounts start on their first message, after the coordinator exists: each reads the current reference.
        Region = ShardRegion.Start(Sys, new ShardRegionSettings("account", 4, id => AccountActor.Props(id, Host.Settings(Coordinator))));
        Coordinator = StartCoordinator();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Host.DisposeAsync();
    }

    /// <summary>
    /// Starts a coordinator that reaches the accounts through <paramref name="accounts"/> (the region by default) and the
    /// insurance fund through <paramref name="fund"/> (the fund by default).
    /// </summary>
    protected IActorRef StartCoordinator(IActorRef? accounts = null, int takeOverAfterUnfilledSteps = 0, IActorRef? fund = null) => Sys.ActorOf(LiquidationCoordinator.Props(
        new LiquidationCoordinatorSettings(Services, accounts ?? Region, fund ?? Fund, Market, AccountFixture.Models, Parameters, TimeSpan.FromSeconds(1),
            TimeSpan.FromMinutes(10), CollectWindow) { TakeOverAfterUnfilledSteps = takeOverAfterUnfilledSteps, FundAccountId = FundAccount, SilentAfter = SilentAfter,
            LateReportHorizon = LateReportHorizon }));

    /// <summary>
    /// Stops the coordinator and starts another on its journal, reaching the accounts through <paramref name="accounts"/>
    /// and the fund through <paramref name="fund"/>; <paramref name="whileStopped"/> runs in between.
    /// </summary>
    protected void RestartCoordinator(IActorRef? accounts = null, int takeOverAfterUnfilledSteps = 0, Action? whileStopped = null, IActorRef? fund = null)
    {
        Watch(Coordinator);
        Sys.Stop(Coordinator);
        ExpectTerminated(Coordinator);
        whileStopped?.Invoke();
        Coordinator = StartCoordinator(accounts, takeOverAfterUnfilledSteps, fund);
    }

    /// <summary>
    /// Restarts the coordinator, its accounts' region <paramref name="accounts"/>, on a journal of <paramref name="journal"/>
    /// written while it was stopped (as a node of another version, or a crash, left it).
    /// </summary>
    protected void RestartOnJournal(IActorRef? accounts, params ILiquidationEvent[] journal) =>
        RestartCoordinator(accounts, whileStopped: () => Services.Journal.WriteMessagesAsync(
            [
                new Persistence.Journal.AtomicWrite(LiquidationCoordinator.Id, 1, "test", journal.Select(e => new Persistence.Journal.EventData(Registry.Serialize(e))).ToArray()),
            ]).GetAwaiter().GetResult());

    protected void SeedFund(decimal usdt)
    {
        Fund.Tell(new DepositToInsuranceFund("seed", "USDT", usdt), TestActor);
        ExpectMsg<InsuranceFundDeposited>();
    }

    /// <summary>Sends a venue/wallet command to <paramref name="account"/> and expects it accepted.</summary>
    protected void ToAccount(string account, Func<string, long, IAccountCommand> command)
    {
        var sequence = _venueSequences[account] = _venueSequences.GetValueOrDefault(account) + 1;
        if (sequence == 1)
        {
            // The first message to an account opens it: every other message to an unopened account is refused.
            Region.Tell(new ShardEnvelope(account, new OpenAccount($"{account}-open", AccountFixture.Accounts, 1)), TestActor);
            Assert.IsType<CommandAccepted>(ExpectMsg<object>(timeout: ReplyTimeout));
        }

        Region.Tell(new ShardEnvelope(account, command($"{account}-m{++_ids}", sequence)), TestActor);
        var reply = ExpectMsg<object>(timeout: ReplyTimeout);
        Assert.True(reply is CommandAccepted, $"{account}: {reply}");
    }

    protected void Deposit(string account, decimal usdt) => ToAccount(account, (id, seq) => new Deposit(id, Venue, seq, "USDT", usdt));

    protected void Trade(string account, OrderSide side, decimal quantity, decimal price, bool liquidation = false, string? orderId = null, string symbol = Btc) =>
        ToAccount(account, (id, seq) => new ApplyExecution(id, Venue, seq, "x" + id, orderId ?? "o" + id, symbol, side, quantity, price, 0m, Liquidity.Taker,
            TestMarket.ValuationTime, liquidation));

    /// <summary>Opens <paramref name="account"/> with <paramref name="usdt"/> and a short of <paramref name="quantity"/> BTC at <paramref name="price"/>.</summary>
    protected void OpenShort(string account, decimal usdt, decimal quantity, decimal price)
    {
        Deposit(account, usdt);
        Trade(account, OrderSide.Sell, quantity, price);
    }

    /// <summary>Opens <paramref name="account"/> with 1,000 USDT and a long of 1 BTC at 60,000.</summary>
    protected void OpenLong(string account)
    {
        Deposit(account, 1_000m);
        Trade(account, OrderSide.Buy, 1m, 60_000m);
    }

    protected void MoveBtc(decimal btc) => MoveMarket(btc, 3_000m, "BTC");

    /// <summary>Publishes BTC at <paramref name="btc"/> and ETH at <paramref name="eth"/> and tells the accounts interested in <paramref name="moved"/>.</summary>
    protected void MoveMarket(decimal btc, decimal eth, params string[] moved) => PublishMarket(TestMarket.Build(btc, eth), moved);

    /// <summary>Publishes <paramref name="market"/> and tells the accounts interested in <paramref name="moved"/>.</summary>
    protected void PublishMarket(Risk.Market.MarketSnapshot market, params string[] moved)
    {
        var version = Market.Publish(market);
        var topics = new HashSet<string>(moved, StringComparer.Ordinal);
        Region.Tell(new ShardBroadcast(new MarketChanged(market, version, topics), topics), TestActor);
    }

    protected AccountView Account(string account)
    {
        var probe = CreateTestProbe();
        Region.Tell(new ShardEnvelope(account, GetAccount.Instance), probe.Ref);
        return probe.ExpectMsg<AccountView>();
    }

    protected InsuranceFundView FundView()
    {
        var probe = CreateTestProbe();
        Fund.Tell(GetInsuranceFund.Instance, probe.Ref);
        return probe.ExpectMsg<InsuranceFundView>();
    }

    protected LiquidationHistory History(string liquidationId)
    {
        var probe = CreateTestProbe();
        Coordinator.Tell(new GetLiquidation(liquidationId), probe.Ref);
        return probe.ExpectMsg<LiquidationHistory>();
    }

    protected void AwaitCompleted(string liquidationId) =>
        AwaitAssert(() => Assert.Equal(LiquidationStatus.Completed, History(liquidationId).Status), TimeSpan.FromSeconds(10));

    /// <summary>
    /// Over five intervals while <paramref name="liquidation"/> is paused, no order goes out, the fund is not asked and no
    /// one is auto-deleveraged: the fund still holds <paramref name="fundUsdt"/>.
    /// </summary>
    protected void AssertDeficitUntouchedForFiveIntervals(TestProbe venue, string liquidation, decimal fundUsdt)
    {
        AwaitAssert(() => Assert.Contains(History(liquidation).Steps, s => s is LiquidationStepPlanned { Outcome: LiquidationPlanOutcome.Throttled }));
        for (var i = 0; i < 5; i++)
        {
            AdvanceAndSettle(TimeSpan.FromSeconds(1));
        }

        // Idle: whatever the five intervals set off is done, so an order still to come is not missed by an early look.
        venue.ExpectNoMsg(TimeSpan.Zero);
        Assert.DoesNotContain(History(liquidation).Steps, s => s is LiquidationCoverRequested or AutoDeleverageExecuted or LiquidationStalled);
        Assert.Equal(fundUsdt, FundView().Balances["USDT"]);
    }

    /// <summary>The next order fills nothing, after which the fund pays and holds <paramref name="fundUsdt"/>.</summary>
    protected void AssertFundPaysAfterAnUnfilledOrder(TestProbe venue, decimal fundUsdt)
    {
        var order = venue.ExpectMsg<LiquidationOrderIssued>();
        Coordinator.Tell(new LiquidationOrderReport(order.OrderId, 0m, 0m), TestActor);
        AwaitAssert(() => Assert.Equal(fundUsdt, FundView().Balances["USDT"]));
    }

    /// <summary>A probe subscribed to the outbound orders and ADL notices.</summary>
    /// <summary>The market a day after the March expiry with BTC at <paramref name="btc"/> (<see cref="ExpiredMarket.March"/>).</summary>
    protected static Risk.Market.MarketSnapshot ExpiredMarch(decimal btc) => ExpiredMarket.March(btc);

    /// <summary>A probe of the auto-deleverage notices alone (not the book's orders).</summary>
    protected TestProbe AdlProbe()
    {
        var probe = CreateTestProbe("adl");
        Sys.EventStream.Subscribe(probe.Ref, typeof(AutoDeleveraged));
        return probe;
    }

    protected TestProbe VenueProbe()
    {
        var probe = CreateTestProbe("venue");
        Sys.EventStream.Subscribe(probe.Ref, typeof(LiquidationOrderIssued));
        Sys.EventStream.Subscribe(probe.Ref, typeof(AutoDeleveraged));
        return probe;
    }

    /// <summary>
    /// The notices of the fills at 59,000 of liq-acc-1-1's first round, in order: for each, its counterparty's buy, then
    /// acc-1's sell of the same quantity.
    /// </summary>
    protected static List<AutoDeleveraged> Acc1SoldAt59000(params (string Counterparty, decimal Quantity)[] fills) => Acc1SoldAt59000(1, fills);

    /// <summary>The notices of the fills at 59,000 of liq-acc-1-1's round <paramref name="round"/>, as above.</summary>
    protected static List<AutoDeleveraged> Acc1SoldAt59000(int round, params (string Counterparty, decimal Quantity)[] fills) =>
        fills.SelectMany(f => new[]
        {
            new AutoDeleveraged("liq-acc-1-1", f.Counterparty, Btc, OrderSide.Buy, f.Quantity, 59_000m, $"liq-acc-1-1:adl-{round}:{f.Counterparty}"),
            new AutoDeleveraged("liq-acc-1-1", "acc-1", Btc, OrderSide.Sell, f.Quantity, 59_000m, $"liq-acc-1-1:adl-{round}:{f.Counterparty}:bankrupt"),
        }).ToList();

    /// <summary>
    /// The notices are those expected, in order for each account: a side is announced as its account applies it, so the
    /// notices of different accounts may interleave in any order.
    /// </summary>
    protected static void AssertNotices(IEnumerable<AutoDeleveraged> expected, IEnumerable<AutoDeleveraged> actual) =>
        Assert.Equal(ByAccount(expected), ByAccount(actual));

    // A stable sort: each account's notices keep their order.
    private static List<AutoDeleveraged> ByAccount(IEnumerable<AutoDeleveraged> notices) => notices.OrderBy(n => n.AccountId, StringComparer.Ordinal).ToList();

    /// <summary>Collects the ADL notices the venue hears, advancing the clock 20 ms at a time (<see cref="AdvanceUntil"/>), until <paramref name="enough"/> says so.</summary>
    protected List<AutoDeleveraged> AdlNoticesUntil(TestProbe venue, Func<List<AutoDeleveraged>, bool> enough)
    {
        var notices = new List<AutoDeleveraged>();
        AdvanceUntil(() =>
        {
            while (venue.QueuedCount > 0)
            {
                notices.Add(venue.ExpectMsg<AutoDeleveraged>());
            }

            return enough(notices);
        }, TimeSpan.FromMilliseconds(20), steps: 500);
        return notices;
    }

    /// <summary>
    /// Advances the manual clock until <paramref name="condition"/> holds, at most <paramref name="steps"/> times, each step
    /// acted on to the end before the condition is read again (<see cref="Actors.TestKit.TestKit.AdvanceAndSettle"/>): by
    /// <paramref name="step"/>, but never past the next timer due, and by 20 ms at most while one is due within the
    /// auto-deleverage collect window (100 ms) or none is.
    /// </summary>
    /// <remarks>
    /// A step as long as the window, taken while a round's collector had just opened it, once closed it before a loaded
    /// machine had let the accounts answer (a counterparty's view went to dead letters, the round found nobody, and the book
    /// was asked at the band instead). With 50 ms of real time per step that still depended on the load; now every step
    /// waits until the system is idle, so the accounts have answered before the clock moves, at any load. The fine steps
    /// near a window are kept so the tests see the same manual times as before.
    /// </remarks>
    protected void AdvanceUntil(Func<bool> condition, TimeSpan step, int steps = 200)
    {
        var fine = TimeSpan.FromMilliseconds(20);
        AwaitIdle();
        for (var i = 0; i < steps; i++)
        {
            if (condition())
            {
                return;
            }

            var untilDue = Clock.NextDue - Clock.GetUtcNow();
            AdvanceAndSettle(untilDue is { } until && until > CollectWindow ? Min(step, until) : Min(step, fine));
        }

        Assert.Fail($"The condition did not hold after {steps} steps of the clock.");
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
