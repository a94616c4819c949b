using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>Accounts as the region starts them: one shared props, each actor reading its id from its name.</summary>
public sealed class AccountRegionTests(ITestOutputHelper output) : EngineTestKit(output)
{
    protected override (MarketSnapshot Market, IReadOnlyList<string> Assets, LiquidationOptions Liquidation) Opening() =>
        (TestMarket.Build(60_000m, 3_000m), [.. TestMarket.Build().AssetPrices.Keys], new LiquidationOptions());

    [Theory]
    [InlineData("plain-7")]
    [InlineData("desk/ü 1~x$")]
    public async Task An_account_started_by_the_region_keeps_its_own_id_even_when_its_actor_name_is_escaped(string account)
    {
        await Send(account, "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, MarginMode.StandardCross));
        await Send(account, "wallet", (id, seq) => new Deposit(id, "wallet", seq, "USDT", 1_234m));

        var view = await View(account);

        Assert.Equal(account, view.AccountId);
        Assert.Equal(1_234m, BalanceOf(view));
    }

    [Fact]
    public async Task Two_accounts_started_by_the_region_each_hold_only_their_own_state()
    {
        await Send("left", "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, MarginMode.StandardCross));
        await Send("right", "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, MarginMode.StandardCross));
        await Send("left", "wallet", (id, seq) => new Deposit(id, "wallet", seq, "USDT", 10m));
        await Send("right", "wallet", (id, seq) => new Deposit(id, "wallet", seq, "USDT", 20m));

        Assert.Equal(10m, BalanceOf(await View("left")));
        Assert.Equal(20m, BalanceOf(await View("right")));
        Assert.Equal("right", (await View("right")).AccountId);
    }

    private static decimal BalanceOf(AccountView view) => Assert.Single(view.Balances, b => b.Asset == "USDT").Amount;
}
