using CrossMargin.Risk.Margin.Kernel;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Margin.Kernel;

public sealed class HoldingsStoreTests
{
    private static readonly MarketSnapshot Market = TestMarket.Build();

    private static readonly CollateralBalance[] Usdt = [new CollateralBalance("USDT", 10_000m)];

    private static readonly Position[] BtcThenEth = [new Position(TestMarket.BtcUsdt, 1m, 60_000m), new Position(TestMarket.EthUsdt, -3m, 3_000m)];

    [Fact]
    public void Holdings_with_the_regions_lines_and_balances_and_other_amounts_are_written_over_it_and_give_their_own_figures()
    {
        var kernel = new StandardCrossKernel(TestParameters.StandardCalculator());
        var store = new HoldingsStore(8, 8);
        Assert.True(store.TryAppend(kernel, kernel.Compile(Usdt, BtcThenEth, [])!, out var region));
        var next = kernel.Compile([new CollateralBalance("USDT", 4_000m)], [new Position(TestMarket.BtcUsdt, -2m, 61_000m), new Position(TestMarket.EthUsdt, 5m, 2_950m)], [])!;
        Assert.True(StandardCrossKernel.TryCompute(next, kernel.At(Market), out var expected));

        Assert.True(store.Fits(kernel, next, region));
        store.Rewrite(kernel, next, region);

        Assert.True(next.InStore);
        Assert.Equal((BtcThenEth.Length, Usdt.Length), (store.LinesUsed, store.BalancesUsed));
        Assert.True(StandardCrossKernel.TryCompute(store, region, next, kernel.At(Market), out var figures));
        Assert.Equal(expected, figures);
    }

    [Fact]
    public void Holdings_with_other_instruments_assets_counts_or_orders_than_the_region_do_not_fit_it()
    {
        var kernel = new StandardCrossKernel(TestParameters.StandardCalculator());
        var store = new HoldingsStore(16, 16);
        Assert.True(store.TryAppend(kernel, kernel.Compile(Usdt, BtcThenEth, [])!, out var region));
        Position[] ethThenBtc = [BtcThenEth[1], BtcThenEth[0]];
        CompiledHoldings[] misfits =
        [
            kernel.Compile(Usdt, ethThenBtc, [])!,
            kernel.Compile([new CollateralBalance("USDC", 10_000m)], BtcThenEth, [])!,
            kernel.Compile(Usdt, [BtcThenEth[0]], [])!,
            kernel.Compile([.. Usdt, new CollateralBalance("USDC", 1m)], BtcThenEth, [])!,
            kernel.Compile(Usdt, BtcThenEth, [new OpenOrder("o-1", TestMarket.BtcUsdt, OrderSide.Buy, 1m, 59_000m)])!,
        ];

        foreach (var misfit in misfits)
        {
            Assert.False(store.Fits(kernel, misfit, region));
            Assert.Throws<ArgumentException>(() => store.Rewrite(kernel, misfit, region));
            Assert.False(misfit.InStore);
        }

        Assert.False(store.Fits(kernel, kernel.Compile(Usdt, BtcThenEth, [])!, default));
    }
}
