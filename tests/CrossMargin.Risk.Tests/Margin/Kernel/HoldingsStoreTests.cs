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

    [Fact]
    public void Holdings_compiled_and_computed_without_lines_of_their_own_give_the_figures_of_a_compile_and_a_store_writes_their_lines_into_regions()
    {
        var kernel = new StandardCrossKernel(TestParameters.StandardCalculator());
        var tables = kernel.At(Market);
        OpenOrder[] orders = [new OpenOrder("o-1", TestMarket.BtcUsdt, OrderSide.Sell, 0.5m, 61_000m)];
        var first = kernel.CompileAndCompute(Usdt, BtcThenEth, [], tables, out var firstComputed, out var firstFigures)!;
        CollateralBalance[] less = [new CollateralBalance("USDT", 4_000m)];
        Position[] moved = [new Position(TestMarket.BtcUsdt, -2m, 61_000m), new Position(TestMarket.EthUsdt, 5m, 2_950m)];
        var next = kernel.CompileAndCompute(less, moved, [], tables, out var nextComputed, out var nextFigures)!;
        var withOrders = kernel.CompileAndCompute(less, moved, orders, tables, out var ordersComputed, out var ordersFigures)!;

        // The same figures as holdings compiled with their own lines, and no lines kept: a store writes them.
        Assert.True(first.InStore && next.InStore && withOrders.InStore);
        Assert.True(firstComputed && nextComputed && ordersComputed);
        Assert.True(StandardCrossKernel.TryCompute(kernel.Compile(Usdt, BtcThenEth, [])!, tables, out var expectedFirst));
        Assert.True(StandardCrossKernel.TryCompute(kernel.Compile(less, moved, [])!, tables, out var expectedNext));
        Assert.True(StandardCrossKernel.TryCompute(kernel.Compile(less, moved, orders)!, tables, out var expectedOrders));
        Assert.Equal((expectedFirst, expectedNext, expectedOrders), (firstFigures, nextFigures, ordersFigures));

        // Appended, then written over in place (the same lines and balances), then appended again (orders do not fit).
        var store = new HoldingsStore(16, 16);
        Assert.True(store.TryAppend(kernel, first, out var region));
        Assert.True(StandardCrossKernel.TryCompute(store, region, first, tables, out var stored));
        Assert.Equal(expectedFirst, stored);
        Assert.True(store.Fits(kernel, next, region));
        store.Rewrite(kernel, next, region);
        Assert.True(StandardCrossKernel.TryCompute(store, region, next, tables, out var rewritten));
        Assert.Equal(expectedNext, rewritten);
        Assert.False(store.Fits(kernel, withOrders, region));
        Assert.True(store.TryAppend(kernel, withOrders, out var appended));
        Assert.True(StandardCrossKernel.TryCompute(store, appended, withOrders, tables, out var appendedFigures));
        Assert.Equal(expectedOrders, appendedFigures);
        Assert.Equal((BtcThenEth.Length + moved.Length, 2), (store.LinesUsed, store.BalancesUsed));
    }

    [Fact]
    public void Holdings_compiled_without_lines_of_their_own_that_do_not_match_a_region_do_not_fit_it()
    {
        var kernel = new StandardCrossKernel(TestParameters.StandardCalculator());
        var tables = kernel.At(Market);
        var store = new HoldingsStore(16, 16);
        Assert.True(store.TryAppend(kernel, kernel.Compile(Usdt, BtcThenEth, [])!, out var region));

        var swapped = kernel.CompileAndCompute(Usdt, [BtcThenEth[1], BtcThenEth[0]], [], tables, out _, out _)!;
        var otherAsset = kernel.CompileAndCompute([new CollateralBalance("USDC", 10_000m)], BtcThenEth, [], tables, out _, out _)!;

        Assert.False(store.Fits(kernel, swapped, region));
        Assert.Throws<ArgumentException>(() => store.Rewrite(kernel, swapped, region));
        Assert.False(store.Fits(kernel, otherAsset, region));
        Assert.Throws<ArgumentException>(() => store.Rewrite(kernel, otherAsset, region));
    }
}
