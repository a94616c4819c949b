using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// A market file whose <c>lotSize</c> changed while positions were open: the node starts (it cannot name the accounts
/// without replaying every journal, and the venue's lot is the venue's to change), and each account that recovers holding
/// a position off its instrument's lot says so, in a warning and in <c>crossmargin_positions_off_lot_total</c> by symbol.
/// Runs alone (<see cref="EngineMetricsRunAlone"/>): the counter is process-wide.
/// </summary>
[Collection(EngineMetricsRunAlone.Name)]
public sealed class PositionsOffLotTests(ITestOutputHelper output) : ManualClockEngineTestKit(output)
{
    /// <summary>
    /// acc r-1 bought 0.0505 BTCUSDT at 60,000 under the default lot (1e-8); it recovers under a lot of 0.001: the
    /// position is kept as it was, counted once as off the lot, and the venue's close of all of it (a sell of 0.0505 at
    /// 60,000) is booked, leaving it flat with its 10,000 USDT.
    /// </summary>
    [Fact]
    public async Task An_account_recovering_with_a_position_off_a_changed_lot_keeps_it_counts_it_and_can_close_it_whole()
    {
        var counted = new List<string>();
        using var listener = EngineMeasurements.Listen<long>("crossmargin.positions.off_lot", (_, value, tags, _) =>
        {
            lock (counted)
            {
                counted.AddRange(Enumerable.Repeat(tags.ToArray().Single(t => t.Key == "symbol").Value as string ?? "", (int)value));
            }
        });
        var before = Host.Settings() with { Market = new LatestMarket(TestMarket.Build()) };
        var first = Sys.ActorOf(AccountActor.Props("r-1", before));
        foreach (var command in new IAccountCommand[]
        {
            new OpenAccount("r-open", "accounts", 1, MarginMode.StandardCross),
            new Deposit("r-dep", "wallet", 1, "USDT", 10_000m),
            new ApplyExecution("r-fill", Venue, 1, "x-r", "o-r", TestMarket.BtcUsdt, OrderSide.Buy, 0.0505m, 60_000m, 0m, Liquidity.Taker,
                TestMarket.ValuationTime, IsLiquidation: false),
        })
        {
            Assert.IsType<CommandAccepted>(await first.Ask<object>(command, Answer).WaitAsync(Answer));
        }

        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        lock (counted)
        {
            Assert.Empty(counted);
        }

        var lotted = TestMarket.Build(60_000m, 3_000m, TestMarket.Instruments.Select(i => i.Symbol == TestMarket.BtcUsdt ? i with { LotSize = 0.001m } : i));
        var second = Sys.ActorOf(AccountActor.Props("r-1", before with { Market = new LatestMarket(lotted) }));
        var view = Assert.IsType<AccountView>(await second.Ask<object>(GetAccount.Instance, Answer).WaitAsync(Answer));
        var close = await second.Ask<object>(new ApplyExecution("r-close", Venue, 2, "x-c", "o-c", TestMarket.BtcUsdt, OrderSide.Sell, 0.0505m, 60_000m, 0m,
            Liquidity.Taker, TestMarket.ValuationTime, IsLiquidation: false), Answer).WaitAsync(Answer);
        var after = Assert.IsType<AccountView>(await second.Ask<object>(GetAccount.Instance, Answer).WaitAsync(Answer));

        Assert.Equal([new Position(TestMarket.BtcUsdt, 0.0505m, 60_000m)], view.Positions);
        lock (counted)
        {
            Assert.Equal([TestMarket.BtcUsdt], counted);
        }

        Assert.IsType<CommandAccepted>(close);
        Assert.Empty(after.Positions);
        Assert.Equal([new CollateralBalance("USDT", 10_000m)], after.Balances);
    }
}
