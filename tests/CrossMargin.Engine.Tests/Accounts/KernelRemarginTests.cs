using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// Accounts of a whole engine (<see cref="RiskEngine.Start"/>) re-margined on marks: those the kernel margins (standard
/// cross) through their partition's pass, the others (portfolio mode) by themselves; both must end with what their
/// calculator gives at the new market.
/// </summary>
public sealed class KernelRemarginTests(ITestOutputHelper output) : EngineTestKit(output)
{
    /// <inheritdoc />
    protected override (MarketSnapshot Market, IReadOnlyList<string> Assets, LiquidationOptions Liquidation) Opening() =>
        (TestMarket.Build(60_000m, 3_000m), [.. TestMarket.Build().AssetPrices.Keys], new LiquidationOptions());

    [Fact]
    public async Task After_marks_move_every_account_holds_the_figures_its_calculator_gives_at_the_new_market()
    {
        var accounts = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var account = $"k-{i}";
            accounts.Add(account);
            await Send(account, "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, i % 4 == 3 ? MarginMode.Portfolio : MarginMode.StandardCross));
            await Send(account, "wallet", (id, seq) => new Deposit(id, "wallet", seq, "USDT", 2_000m + (i * 700m)));
            var side = i % 2 == 0 ? OrderSide.Buy : OrderSide.Sell;
            await Trade(account, TestMarket.BtcUsdt, side, 0.1m * (i + 1), 60_000m);
            if (i % 3 == 0)
            {
                await Send(account, Venue, (id, seq) => new AcceptOrder(id, Venue, seq, "rest-" + id, TestMarket.BtcUsdc, OrderSide.Sell, 0.5m, 61_000m));
            }
        }

        // Each move within the index move band (10%) of the one before: the last was 55,000, 10.3% below 61,300.
        foreach (var btc in new[] { 58_700m, 61_300m, 55_500m })
        {
            var before = Engine.Market.Current.ValuationTime;
            MoveBtc(btc, TestMarket.BtcUsdt, TestMarket.BtcUsdc);
            var market = Engine.Market.Current;
            foreach (var account in accounts)
            {
                AwaitAssert(() =>
                {
                    var view = Assert.IsType<AccountView>(Engine.GetAccountAsync(account).GetAwaiter().GetResult());
                    var explained = Assert.IsType<AccountMargin>(Engine.ExplainMarginAsync(account).GetAwaiter().GetResult());
                    Assert.Equal(market.ValuationTime, explained.ValuationTime);
                    Assert.Equal((explained.EquityUsd, explained.InitialMarginUsd, explained.MaintenanceMarginUsd, explained.Status),
                        (view.Margin!.EquityUsd, view.Margin.InitialMarginUsd, view.Margin.MaintenanceMarginUsd, view.Margin.Status));
                    // The move may reach the market as more than one snapshot; figures a later one leaves unchanged keep the
                    // valuation time of the snapshot they changed at (AccountActor's remarks), which is one of this move's.
                    Assert.InRange(view.Margin.ValuationTime, before.AddTicks(1), market.ValuationTime);
                }, TimeSpan.FromSeconds(5));
            }
        }
    }

    /// <summary>
    /// An inverse future's notional, so its IM and MM, is in its quote asset (USD here), which is neither its underlying
    /// nor its settlement asset: an account holding it and its coin must follow a move of USD alone, whether the kernel
    /// margins it (standard cross) or it margins itself (portfolio: it hears of a market change only through the topics it
    /// registered, which must name the quote asset too).
    /// </summary>
    [Theory]
    [InlineData(MarginMode.StandardCross)]
    [InlineData(MarginMode.Portfolio)]
    public async Task A_move_of_an_inverse_futures_quote_asset_alone_remargins_its_holders(MarginMode mode)
    {
        var account = "q-" + mode;
        await Send(account, "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, mode));
        await Send(account, "wallet", (id, seq) => new Deposit(id, "wallet", seq, "BTC", 1m));
        var mark = Engine.Market.Current.MarkOf(TestMarket.BtcInversePerp).MarkPrice;
        await Trade(account, TestMarket.BtcInversePerp, OrderSide.Buy, 10_000m, mark);
        var before = (await View(account)).Margin!;

        var probe = CreateTestProbe();
        Engine.Prices.Tell(new UpdatePrices([new UpdateIndex("USD", 0.9m, Sys.TimeProvider.GetUtcNow())], []), probe.Ref);
        Assert.IsType<PriceAccepted>(probe.ExpectMsg<object>());
        AwaitAssert(() => Assert.Equal(0.9m, Engine.Market.Current.PriceOf("USD")), TimeSpan.FromSeconds(5));

        var explained = Assert.IsType<AccountMargin>(await Engine.ExplainMarginAsync(account));
        Assert.NotEqual(before.InitialMarginUsd, explained.InitialMarginUsd);
        AwaitAssert(() =>
        {
            var view = Assert.IsType<AccountView>(Engine.GetAccountAsync(account).GetAwaiter().GetResult());
            Assert.Equal((explained.EquityUsd, explained.InitialMarginUsd, explained.MaintenanceMarginUsd, explained.Status),
                (view.Margin!.EquityUsd, view.Margin.InitialMarginUsd, view.Margin.MaintenanceMarginUsd, view.Margin.Status));
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_mark_gives_a_limits_subscriber_one_fact_per_moved_account_with_the_amounts_of_its_figures_at_the_new_market()
    {
        var accounts = Enumerable.Range(0, 10).Select(i => $"l-{i}").ToArray();
        foreach (var (account, i) in accounts.Select((a, i) => (a, i)))
        {
            await Send(account, "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, i % 5 == 4 ? MarginMode.Portfolio : MarginMode.StandardCross));
            await Send(account, "wallet", (id, seq) => new Deposit(id, "wallet", seq, "USDT", 3_000m + (i * 1_000m)));
            await Trade(account, TestMarket.BtcUsdt, i % 2 == 0 ? OrderSide.Buy : OrderSide.Sell, 0.1m * (i + 1), 60_000m);
        }

        // The limits facts of an account, whether published by itself or in a pass's batch, as one stream.
        var limits = new System.Collections.Concurrent.ConcurrentQueue<AccountLimitsChanged>();
        var subscriber = new CallbackRef(message =>
        {
            foreach (var fact in message switch { AccountLimitsBatch batch => batch.Changes(), AccountLimitsChanged one => [one], _ => [] })
            {
                limits.Enqueue(fact);
            }
        });
        Sys.EventStream.Subscribe(subscriber, typeof(AccountLimitsChanged));
        Sys.EventStream.Subscribe(subscriber, typeof(AccountLimitsBatch));

        // An account may repeat its numbers from before the move once more (a pass that met its entry changing mid-batch
        // asks it to publish again: PublishLimits), so those are set apart; what the move itself must give is one fact.
        var beforeMove = new Dictionary<string, decimal>();
        foreach (var account in accounts)
        {
            beforeMove[account] = Assert.IsType<AccountMargin>(await Engine.ExplainMarginAsync(account)).AvailableMarginUsd;
        }

        MoveBtc(58_900m, TestMarket.BtcUsdt, TestMarket.BtcUsdc);
        var market = Engine.Market.Current;
        AwaitCondition(() => limits.Count(l => l.AvailableUsd != beforeMove[l.AccountId]) >= accounts.Length, TimeSpan.FromSeconds(5));
        AwaitIdle();

        var byAccount = limits.ToArray().Where(l => l.AvailableUsd != beforeMove[l.AccountId])
            .GroupBy(l => l.AccountId).ToDictionary(g => g.Key, g => g.ToArray());
        Assert.Equal(accounts.Order(), byAccount.Keys.Order());
        foreach (var account in accounts)
        {
            var fact = Assert.Single(byAccount[account]);
            var explained = Assert.IsType<AccountMargin>(await Engine.ExplainMarginAsync(account));
            Assert.Equal(explained.AvailableMarginUsd, fact.AvailableUsd);
            foreach (var (asset, amount) in fact.AvailableBySettlementAsset)
            {
                // What the account computed before batches and integer amounts: one decimal division per asset.
                var divided = Math.Floor(explained.AvailableMarginUsd / market.PriceOf(asset) * 100_000_000m) / 100_000_000m;
                Assert.Equal(divided.ToString(System.Globalization.CultureInfo.InvariantCulture), amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }
}
