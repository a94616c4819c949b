using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Kernel;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using FsCheck;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Margin.Kernel;

/// <summary>The engine's re-margin kernel against the calculator it stands in for.</summary>
public class StandardCrossKernelTests
{
    private static readonly MarketSnapshot Market = TestMarket.Build();

    [Fact]
    public void Kernel_figures_equal_the_calculators_to_the_last_digit_for_any_book_and_marks()
    {
        var calculator = TestParameters.StandardCalculator();
        var kernel = new StandardCrossKernel(calculator);
        var books = from portfolio in Books()
                    from btc in Gen.Choose(30_000, 120_000)
                    from ethCents in Gen.Choose(150_000, 600_000)
                    select (portfolio, Moved: TestMarket.Build(btc + 0.5m, ethCents / 100m));
        PropertyCheck.ForAll(books, book =>
        {
            foreach (var market in new[] { Market, book.Moved })
            {
                var expected = calculator.Figures(book.portfolio, market);
                var holdings = kernel.Compile(book.portfolio.Balances, book.portfolio.Positions, book.portfolio.OpenOrders);
                Assert.NotNull(holdings);
                Assert.True(StandardCrossKernel.TryCompute(holdings, kernel.At(market), out var figures));
                Assert.Equal(Describe(expected), Describe(figures.ToFigures(market, kernel.At(market).Model)));
            }
        }, cases: 300);
    }

    [Fact]
    public void The_double_path_answers_only_with_the_decimal_paths_figures_and_decides_nearly_every_book()
    {
        var kernel = new StandardCrossKernel(TestParameters.StandardCalculator());
        var books = from portfolio in Books()
                    from btc in Gen.Choose(30_000, 120_000)
                    from ethCents in Gen.Choose(150_000, 600_000)
                    select (portfolio, Moved: TestMarket.Build(btc + 0.5m, ethCents / 100m));
        int computed = 0, decided = 0;
        PropertyCheck.ForAll(books, book =>
        {
            foreach (var market in new[] { Market, book.Moved })
            {
                var holdings = kernel.Compile(book.portfolio.Balances, book.portfolio.Positions, book.portfolio.OpenOrders)!;
                var tables = kernel.At(market);
                Assert.True(StandardCrossKernel.TryComputeInDecimal(holdings, tables, out var exact));
                var zero = exact.EquityUsd == 0 || exact.InitialMarginUsd == 0 || exact.MaintenanceMarginUsd == 0;
                computed += zero ? 0 : 1;
                if (StandardCrossKernel.TryComputeInDoubles(holdings, tables, out var fast))
                {
                    decided += zero ? 0 : 1;
                    Assert.Equal(Describe(exact.ToFigures(market, tables.Model)), Describe(fast.ToFigures(market, tables.Model)));
                    Assert.Equal(Bits(exact), Bits(fast));
                }
            }
        }, cases: 500);

        // Prices and quantities of a few digits put figures right on a cent all the time; the doubles must still decide
        // them. A figure that is exactly zero (all orders and no position, say) is left to the decimal path.
        Assert.True(decided >= computed * 95 / 100, $"the double path decided {decided} of {computed} books without a zero figure");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Equity_exactly_at_maintenance_margin_is_a_margin_call_and_a_hair_below_a_liquidation(int hairs)
    {
        var calculator = TestParameters.StandardCalculator();
        var kernel = new StandardCrossKernel(calculator);
        var mark = Market.MarkOf(TestMarket.BtcUsdt).MarkPrice;
        var positions = new[] { new Position(TestMarket.BtcUsdt, 3.7m, mark) };
        var maintenance = calculator.Figures([new CollateralBalance("USDT", 1_000_000m)], positions, [], Market).MaintenanceMarginUsd;
        // USDT at 1 with no haircut and no P&L at the entry price: equity is the balance, one hair (1e-6 USD) off when asked.
        var balance = maintenance + (hairs * 0.000001m);
        var holdings = kernel.Compile([new CollateralBalance("USDT", balance)], positions, [])!;
        var expected = calculator.Figures([new CollateralBalance("USDT", balance)], positions, [], Market);

        Assert.True(StandardCrossKernel.TryComputeInDoubles(holdings, kernel.At(Market), out var figures));
        Assert.Equal(Describe(expected), Describe(figures.ToFigures(Market, kernel.At(Market).Model)));
        Assert.Equal(hairs < 0 ? MarginStatus.Liquidation : MarginStatus.MarginCall, figures.Status);
        Assert.Equal(hairs < 0 ? maintenance - 0.01m : maintenance, figures.EquityUsd);
    }

    [Fact]
    public void Figures_a_hair_from_a_cent_edge_round_as_the_calculator_rounds_them()
    {
        var calculator = TestParameters.StandardCalculator();
        var kernel = new StandardCrossKernel(calculator);
        var hairs = new[] { 0m, 1e-6m, -1e-6m, 1e-9m, -1e-9m, 1e-12m, -1e-12m, 1e-15m, -1e-15m, 1e-20m, -1e-20m, 1e-27m, -1e-27m };
        var cases = from portfolio in Books()
                    from usdtHair in Gen.Elements(hairs)
                    from quantityHair in Gen.Elements(hairs)
                    from btc in Gen.Choose(30_000, 120_000)
                    select (Portfolio: Nudge(portfolio, usdtHair, quantityHair), Moved: TestMarket.Build(btc, 3_000m));
        PropertyCheck.ForAll(cases, book =>
        {
            foreach (var market in new[] { Market, book.Moved })
            {
                var expected = calculator.Figures(book.Portfolio, market);
                var holdings = kernel.Compile(book.Portfolio.Balances, book.Portfolio.Positions, book.Portfolio.OpenOrders)!;
                Assert.True(StandardCrossKernel.TryCompute(holdings, kernel.At(market), out var figures));
                Assert.Equal(Describe(expected), Describe(figures.ToFigures(market, kernel.At(market).Model)));
                if (StandardCrossKernel.TryComputeInDoubles(holdings, kernel.At(market), out var fast))
                {
                    Assert.True(StandardCrossKernel.TryComputeInDecimal(holdings, kernel.At(market), out var exact));
                    Assert.Equal(Bits(exact), Bits(fast));
                }
            }
        }, cases: 500);
    }

    [Fact]
    public void A_snapshots_tables_are_built_once_and_follow_the_snapshot()
    {
        var kernel = new StandardCrossKernel(TestParameters.StandardCalculator());
        var moved = TestMarket.Build(66_000m, 3_300m);

        Assert.Same(kernel.At(Market), kernel.At(Market));
        Assert.NotSame(kernel.At(Market), kernel.At(moved));
        Assert.Same(moved, kernel.At(moved).Market);
    }

    [Fact]
    public void Isolated_positions_are_left_to_the_calculator()
    {
        var kernel = new StandardCrossKernel(TestParameters.StandardCalculator());
        var positions = new[] { new Position(TestMarket.BtcUsdt, 1m, 60_000m, IsolatedMargin: 5_000m) };

        Assert.Null(kernel.Compile([new CollateralBalance("USDT", 10_000m)], positions, []));
    }

    [Fact]
    public void An_instrument_the_snapshot_lacks_is_left_to_the_calculator_and_its_error()
    {
        var calculator = TestParameters.StandardCalculator();
        var kernel = new StandardCrossKernel(calculator);
        var holdings = kernel.Compile([new CollateralBalance("USDT", 1_000m)], [new Position("NOPE-PERP", 1m, 100m)], [])!;

        Assert.False(StandardCrossKernel.TryCompute(holdings, kernel.At(Market), out _));
        Assert.ThrowsAny<ArgumentException>(() => calculator.Figures(new Portfolio("acc", [new CollateralBalance("USDT", 1_000m)], [new Position("NOPE-PERP", 1m, 100m)]), Market));
    }

    [Fact]
    public void A_scenario_model_has_no_kernel()
    {
        Assert.False(StandardCrossKernel.Supports(TestParameters.DeribitCalculator()));
        Assert.Throws<ArgumentException>(() => new StandardCrossKernel(TestParameters.DeribitCalculator()));
    }

    [Fact]
    public void Only_holdings_on_what_moved_are_concerned()
    {
        var kernel = new StandardCrossKernel(TestParameters.StandardCalculator());
        var eth = TestMarket.Symbols.First(s => Market.GetInstrument(s).Underlying == "ETH" && Market.GetInstrument(s).SettlementAsset != "BTC");
        var holdings = kernel.Compile([new CollateralBalance("USDT", 1_000m)], [new Position(eth, 1m, 3_000m)], [])!;
        var table = kernel.At(Market);

        Assert.True(StandardCrossKernel.Concerns(holdings, table.Moved(new HashSet<string> { "ETH" })));
        Assert.True(StandardCrossKernel.Concerns(holdings, table.Moved(new HashSet<string> { "USDT" })));
        Assert.False(StandardCrossKernel.Concerns(holdings, table.Moved(new HashSet<string> { "SOL" })));
    }

    [Fact]
    public void An_instrument_only_an_order_reaches_is_concerned_and_an_empty_balance_is_not()
    {
        var kernel = new StandardCrossKernel(TestParameters.StandardCalculator());
        var eth = TestMarket.Symbols.First(s => Market.GetInstrument(s).Underlying == "ETH" && Market.GetInstrument(s).SettlementAsset != "BTC");
        var holdings = kernel.Compile([new CollateralBalance("USDT", 1_000m), new CollateralBalance("BTC", 0m)], [],
            [new OpenOrder("b1", eth, OrderSide.Buy, 1m, 3_000m)])!;
        var table = kernel.At(Market);

        Assert.True(StandardCrossKernel.Concerns(holdings, table.Moved(new HashSet<string> { "ETH" })));
        Assert.False(StandardCrossKernel.Concerns(holdings, table.Moved(new HashSet<string> { "BTC" })));
        Assert.False(StandardCrossKernel.Concerns(holdings, table.Moved(new HashSet<string> { "SOL" })));
    }

    // The generator's books, plus what it does not make: orders on instruments not held (two on one of them), a position
    // closed to zero quantity, borrowed (negative) balances and other collateral assets.
    [Fact]
    public void Holdings_in_a_store_give_their_own_figures_on_both_paths_also_compiled_again_and_copied_to_another_store()
    {
        var kernel = new StandardCrossKernel(TestParameters.StandardCalculator());
        var books = from portfolio in Books()
                    from btc in Gen.Choose(30_000, 120_000)
                    select (portfolio, Moved: TestMarket.Build(btc + 0.5m, 3_100m));
        PropertyCheck.ForAll(books, book =>
        {
            var tables = kernel.At(book.Moved);
            var holdings = kernel.Compile(book.portfolio.Balances, book.portfolio.Positions, book.portfolio.OpenOrders)!;
            var own = (Doubles: StandardCrossKernel.TryComputeInDoubles(holdings, tables, out var fast) ? Bits(fast) : null,
                Decimal: StandardCrossKernel.TryComputeInDecimal(holdings, tables, out var exact) ? Bits(exact) : null);
            var moved = tables.Moved(new HashSet<string>(StringComparer.Ordinal) { "ETH" });
            var concerns = StandardCrossKernel.Concerns(holdings, moved);
            var (lines, balances) = HoldingsStore.SizeOf(holdings);

            // Too small a store takes nothing and leaves the holdings their own lines.
            if (lines > 0)
            {
                Assert.False(new HoldingsStore(lines - 1, balances).TryAppend(kernel, holdings, out _));
                Assert.False(holdings.InStore);
            }

            var first = new HoldingsStore(lines + 3, balances + 3);
            Assert.True(first.TryAppend(kernel, holdings, out var region));
            Assert.True(holdings.InStore);
            // Handed over already: the second store's lines are compiled again; the third's copied from the first.
            var second = new HoldingsStore(lines, balances);
            Assert.True(second.TryAppend(kernel, holdings, out var again));
            var third = new HoldingsStore(lines, balances);
            Assert.True(third.TryCopy(first, region, out var copied));
            foreach (var (store, stored) in new[] { (first, region), (second, again), (third, copied) })
            {
                Assert.Equal((lines, balances), (stored.LineCount, stored.BalanceCount));
                Assert.Equal(concerns, StandardCrossKernel.Concerns(store, stored, moved));
                var fromStore = (Doubles: StandardCrossKernel.TryComputeInDoubles(store, stored, holdings, tables, out var storedFast) ? Bits(storedFast) : null,
                    Decimal: StandardCrossKernel.TryComputeInDecimal(store, stored, holdings, tables, out var storedExact) ? Bits(storedExact) : null);
                Assert.Equal(own, fromStore);
                Assert.Equal(own.Doubles ?? own.Decimal, StandardCrossKernel.TryCompute(store, stored, holdings, tables, out var figures) ? Bits(figures) : null);
            }
        }, cases: 200);
    }

    private static Gen<Portfolio> Books() =>
        from portfolio in PortfolioGen.Any(Market)
        from unheldOrders in Gen.Choose(0, 2)
        from zeroFirst in Gen.Elements(false, false, true)
        from usdc in Gen.Choose(-20_000, 200_000)
        from ethTenths in Gen.Choose(-30, 300)
        select Extend(portfolio, unheldOrders, zeroFirst, usdc, ethTenths / 10m);

    private static Portfolio Extend(Portfolio portfolio, int unheldOrders, bool zeroFirst, int usdc, decimal eth)
    {
        var unheld = TestMarket.Symbols.First(s => portfolio.Positions.All(p => p.Symbol != s));
        var mark = Market.MarkOf(unheld).MarkPrice;
        var orders = portfolio.OpenOrders.ToList();
        if (unheldOrders > 0)
        {
            orders.Add(new OpenOrder("u1", unheld, OrderSide.Sell, 2m, mark));
        }

        if (unheldOrders > 1)
        {
            orders.Add(new OpenOrder("u0", unheld, OrderSide.Buy, 3m, mark));
        }

        var positions = portfolio.Positions.Select((p, k) => zeroFirst && k == 0 ? p with { Quantity = 0m } : p).ToArray();
        var balances = portfolio.Balances.Append(new CollateralBalance("USDC", usdc)).Append(new CollateralBalance("ETH", eth)).ToArray();
        return new Portfolio(portfolio.AccountId, balances, positions, orders);
    }

    // A balance and a position quantity moved off their round values by a hair (both zero: the round book itself).
    private static Portfolio Nudge(Portfolio portfolio, decimal usdtHair, decimal quantityHair)
    {
        var balances = portfolio.Balances.Where(b => b.Asset != "USDT").Append(new CollateralBalance("USDT", 1_000m + usdtHair)).ToArray();
        var positions = portfolio.Positions.Select((p, k) => k == 0 && p.Quantity + quantityHair != 0 ? p with { Quantity = p.Quantity + quantityHair } : p).ToArray();
        return new Portfolio(portfolio.AccountId, balances, positions, portfolio.OpenOrders);
    }

    // The figures' raw decimal bits: a sign on a zero (-0.00) or a scale would show, where strings hide the sign.
    private static string Bits(KernelFigures f) =>
        string.Join("|", new[] { f.EquityUsd, f.InitialMarginUsd, f.MaintenanceMarginUsd }.SelectMany(d => decimal.GetBits(d).Select(b => b.ToString("x8", System.Globalization.CultureInfo.InvariantCulture))));

    // Strings, so that 1.0 and 1.00 (equal decimals of different scale) would still show as different.
    private static string Describe(MarginFigures f) =>
        $"{f.ValuationTime:O}|{f.Model}|{f.EquityUsd}|{f.InitialMarginUsd}|{f.MaintenanceMarginUsd}|{f.Status}|{f.AvailableMarginUsd}|{f.MarginRatio}|{f.Isolated.Count}";
}
