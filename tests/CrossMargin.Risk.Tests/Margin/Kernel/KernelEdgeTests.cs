using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Kernel;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using CrossMargin.Risk.Valuation;
using FsCheck;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Margin.Kernel;

/// <summary>
/// The kernel's double path at the edges the random books of <see cref="StandardCrossKernelTests"/> seldom reach: tiny and
/// huge quantities, prices and contract sizes, P&amp;L cancelling to a hair, equity put exactly on a cent, notionals exactly
/// on a bracket cap, collateral on a haircut tier's bound. Wherever the doubles answer, the answer must be the decimal
/// path's to the bit, and that must be the calculator's.
/// </summary>
public class KernelEdgeTests
{
    private const string Linear = "LIN-PERP";
    private const string Inverse = "INV-PERP";

    private static readonly decimal[] Prices = [0.000001m, 0.000123m, 0.5m, 1m, 3.14159m, 99.99m, 65_432.1m, 1_000_000m, 9_999_999.9999996m, 10_000_000m];
    private static readonly decimal[] Sizes = [1m, 0.001m, 0.00000001m, 10m, 100m, 0.1234567m];
    private static readonly decimal[] Quantities = [0.00000001m, 0.00000003m, 0.12345678m, 1m, 7m, 1_000m, 123_456.789m, 1_000_000_000m];
    private static readonly decimal[] Hairs = [0m, 0m, 0.00000001m, -0.00000001m, 1e-12m, -1e-12m, 1e-20m, -1e-20m, 1e-28m, -1e-28m];

    [Fact]
    public void A_dust_inverse_position_whose_pnl_the_decimal_path_rounds_away_is_not_called_bankrupt_by_the_doubles()
    {
        // q x size / mark needs more than 28 decimal places: the decimal path rounds 1e-8 / 9999999.9999996 to exactly
        // 1e-15 = 1e-8 / 1e7 and the P&L to zero, where the doubles see -4e-24 USD (a 28th-place unit times the BTC
        // price) and would floor the equity to -0.01: bankrupt instead of in liquidation.
        var market = EdgeMarket(btc: 100_000m, usd: 1m, linearMark: 1m, inverseMark: 9_999_999.9999996m, linearSize: 1m, inverseSize: 1m);
        var calculator = TestParameters.StandardCalculator();
        var kernel = new StandardCrossKernel(calculator);
        var positions = new[] { new Position(Inverse, 0.00000001m, 10_000_000m) };
        var expected = calculator.Figures([], positions, [], market);
        var holdings = kernel.Compile([], positions, [])!;

        Assert.Equal(MarginStatus.Liquidation, expected.Status);
        Assert.True(StandardCrossKernel.TryCompute(holdings, kernel.At(market), out var figures));
        Assert.Equal(Describe(expected), Describe(figures.ToFigures(market, kernel.At(market).Model)));
        if (StandardCrossKernel.TryComputeInDoubles(holdings, kernel.At(market), out var fast))
        {
            Assert.Equal(Bits(figures), Bits(fast));
        }
    }

    [Fact]
    public void Wherever_the_doubles_answer_at_the_edges_they_answer_the_decimal_paths_figures()
    {
        var calculator = TestParameters.StandardCalculator();
        var kernel = new StandardCrossKernel(calculator);
        int answered = 0, books = 0;
        PropertyCheck.ForAll(EdgeBooks(), book =>
        {
            var (market, portfolio) = book;
            MarginFigures expected;
            try
            {
                expected = calculator.Figures(portfolio, market);
            }
            catch (OverflowException)
            {
                // Beyond decimal's range the calculator fails; the kernel must not answer either.
                var overflowing = kernel.Compile(portfolio.Balances, portfolio.Positions, portfolio.OpenOrders)!;
                Assert.False(StandardCrossKernel.TryComputeInDoubles(overflowing, kernel.At(market), out _));
                return;
            }

            books++;
            var holdings = kernel.Compile(portfolio.Balances, portfolio.Positions, portfolio.OpenOrders)!;
            var tables = kernel.At(market);
            Assert.True(StandardCrossKernel.TryComputeInDecimal(holdings, tables, out var exact));
            Assert.Equal(Describe(expected), Describe(exact.ToFigures(market, tables.Model)));
            if (StandardCrossKernel.TryComputeInDoubles(holdings, tables, out var fast))
            {
                answered++;
                Assert.Equal(Bits(exact), Bits(fast));
                Assert.Equal(exact.Status, fast.Status);
            }
        }, cases: int.TryParse(Environment.GetEnvironmentVariable("KERNEL_EDGE_CASES"), out var cases) ? cases : 20_000);

        // So that the property cannot pass by never answering: about a quarter of these extreme books are decided in
        // doubles (the rest fall back to the decimal path, which is right but slower).
        Assert.True(answered * 10 > books, $"the doubles answered {answered} of {books} edge books");
    }

    [Fact]
    public void An_inverse_future_is_concerned_by_a_move_of_its_quote_asset()
    {
        // An inverse future's notional, so its requirements, is in its quote asset: a move of that price alone changes
        // them, and an account holding only the future and its coin must be margined again.
        var before = EdgeMarket(btc: 60_000m, usd: 1m, linearMark: 60_000m, inverseMark: 60_000m, linearSize: 1m, inverseSize: 100m);
        var after = EdgeMarket(btc: 60_000m, usd: 0.9m, linearMark: 60_000m, inverseMark: 60_000m, linearSize: 1m, inverseSize: 100m);
        var calculator = TestParameters.StandardCalculator();
        var kernel = new StandardCrossKernel(calculator);
        var balances = new[] { new CollateralBalance("BTC", 1m) };
        var positions = new[] { new Position(Inverse, 10_000m, 60_000m) };
        var holdings = kernel.Compile(balances, positions, [])!;

        Assert.NotEqual(calculator.Figures(balances, positions, [], before).InitialMarginUsd, calculator.Figures(balances, positions, [], after).InitialMarginUsd);
        Assert.True(StandardCrossKernel.Concerns(holdings, kernel.At(after).Moved(new HashSet<string>(StringComparer.Ordinal) { "USD" })));
    }

    /// <summary>
    /// A market of one linear and one inverse perpetual on BTC (USDT and USD quoted) with the given marks, sizes and
    /// prices.
    /// </summary>
    private static MarketSnapshot EdgeMarket(decimal btc, decimal usd, decimal linearMark, decimal inverseMark, decimal linearSize, decimal inverseSize)
    {
        var instruments = new Instrument[]
        {
            new Perpetual(Linear, "BTC", "USDT", "USDT", SettlementKind.Linear, linearSize, 0.000001m),
            new Perpetual(Inverse, "BTC", "USD", "BTC", SettlementKind.Inverse, inverseSize, 0.0000001m),
        };
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = btc, ["USDT"] = 1m, ["USDC"] = 1m, ["USD"] = usd, ["ETH"] = 3_000m };
        return new MarketSnapshot(TestMarket.ValuationTime, instruments, prices, [new UnderlyingMarket("BTC", 0)],
            [new InstrumentMark(Linear, linearMark), new InstrumentMark(Inverse, inverseMark)]);
    }

    // Books of one or two perpetual positions and open orders at the edges, and collateral that puts equity on or a hair
    // off a cent, or BTC on a haircut tier's bound, or none.
    private static Gen<(MarketSnapshot Market, Portfolio Portfolio)> EdgeBooks() =>
        from btc in Gen.Elements(Prices)
        from usd in Gen.Elements(1m, 1m, 0.999m, 1.0001m)
        from linearMark in Gen.Elements(Prices)
        from inverseMark in Gen.Elements(Prices)
        from linearSize in Gen.Elements(Sizes)
        from inverseSize in Gen.Elements(Sizes)
        from linearQuantity in Gen.Elements(Quantities)
        from inverseQuantity in Gen.Elements(Quantities)
        from signs in Gen.ArrayOf(Gen.Elements(-1m, 1m), 3)
        from legs in Gen.Choose(1, 3)
        from entryKind in Gen.Choose(0, 3)
        from entryHair in Gen.Elements(Hairs)
        from onCap in Gen.Elements(false, true)
        from cap in Gen.Elements(50_000m, 250_000m, 1_000_000m, 300_000_000m)
        from orders in Gen.Choose(0, 2)
        from centEdge in Gen.Elements(false, true)
        from balanceHair in Gen.Elements(Hairs)
        from onTier in Gen.Elements(false, false, true)
        from collateral in Gen.Elements(true, true, true, false)
        select Book(EdgeMarket(btc, usd, linearMark, inverseMark, linearSize, inverseSize), linearQuantity * signs[0], inverseQuantity * signs[1], legs,
            entryKind, entryHair, onCap ? cap : null, orders, signs[2], centEdge && collateral, balanceHair, onTier && collateral, collateral);

    private static (MarketSnapshot, Portfolio) Book(MarketSnapshot market, decimal linearQuantity, decimal inverseQuantity, int legs, int entryKind,
        decimal entryHair, decimal? cap, int orders, decimal orderSign, bool centEdge, decimal balanceHair, bool onTier, bool collateral)
    {
        var linearMark = market.MarkOf(Linear).MarkPrice;
        var inverseMark = market.MarkOf(Inverse).MarkPrice;
        var linearSize = market.GetInstrument(Linear).ContractSize;
        if (cap is { } c && c / (linearSize * linearMark) is var onCapQuantity && onCapQuantity * linearSize * linearMark == c)
        {
            // The notional exactly on a bracket's cap (when decimal can put it there exactly).
            linearQuantity = Math.Sign(linearQuantity) * onCapQuantity;
        }

        // Entries: at the mark (P&L cancelling to zero or a hair), 1% off, or another edge price.
        decimal EntryOf(decimal mark) => entryKind switch
        {
            0 => mark + entryHair > 0 ? mark + entryHair : mark,
            1 => mark * 1.01m,
            2 => mark * 0.99m,
            _ => Prices[(int)(mark % Prices.Length)],
        };

        var positions = new List<Position>();
        if ((legs & 1) != 0)
        {
            positions.Add(new Position(Linear, linearQuantity, EntryOf(linearMark)));
        }

        if ((legs & 2) != 0)
        {
            positions.Add(new Position(Inverse, inverseQuantity, EntryOf(inverseMark)));
        }

        var openOrders = new List<OpenOrder>();
        for (var k = 0; k < orders; k++)
        {
            var symbol = k == 0 ? Linear : Inverse;
            var quantity = Math.Abs(k == 0 ? linearQuantity : inverseQuantity) * (k + 1);
            openOrders.Add(new OpenOrder($"o{k}", symbol, orderSign > 0 ? OrderSide.Buy : OrderSide.Sell, quantity, k == 0 ? linearMark : inverseMark));
        }

        var balances = new List<CollateralBalance>();
        if (onTier)
        {
            // BTC worth exactly the first haircut tier's bound, or a hair either side.
            var btc = 1_000_000m / market.PriceOf("BTC");
            balances.Add(new CollateralBalance("BTC", btc + balanceHair));
        }

        if (centEdge)
        {
            // USDT that puts the equity exactly on a cent (then a hair off it), from the decimal path's own P&L.
            var pnl = positions.Sum(p => p.Quantity == 0 ? 0m : PositionValuation.Of(p, market).ValueUsd);
            var valued = TestParameters.Collateral().ValueUsd(balances, market);
            balances.Add(new CollateralBalance("USDT", Math.Ceiling((pnl + valued) * 100m) / 100m - pnl - valued + 12.34m + balanceHair));
        }
        else if (collateral)
        {
            balances.Add(new CollateralBalance("USDT", 1_000m + balanceHair));
        }

        // Else no collateral at all: the equity is the P&L alone, near the cent edge at zero when it cancels.

        return (market, new Portfolio("edge", balances, positions, openOrders));
    }

    private static string Bits(KernelFigures f) =>
        string.Join("|", new[] { f.EquityUsd, f.InitialMarginUsd, f.MaintenanceMarginUsd }.SelectMany(d => decimal.GetBits(d).Select(b => b.ToString("x8", System.Globalization.CultureInfo.InvariantCulture))));

    private static string Describe(MarginFigures f) =>
        $"{f.ValuationTime:O}|{f.Model}|{f.EquityUsd}|{f.InitialMarginUsd}|{f.MaintenanceMarginUsd}|{f.Status}|{f.AvailableMarginUsd}|{f.MarginRatio}|{f.Isolated.Count}";
}
