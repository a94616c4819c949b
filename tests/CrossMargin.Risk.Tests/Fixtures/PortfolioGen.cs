using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using FsCheck;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Fixtures;

/// <summary>Generators of portfolios over <see cref="TestMarket"/>.</summary>
public static class PortfolioGen
{
    private const int MaxLegs = 6;

    /// <summary>
    /// One to six positions in distinct instruments, long or short, entered within ±5% of the mark, some balances,
    /// and (when <paramref name="withOrders"/>) up to three resting orders on the instruments held.
    /// </summary>
    public static Gen<Portfolio> Any(MarketSnapshot market, bool withOrders = true) =>
        from count in Gen.Choose(1, MaxLegs)
        from symbols in Gen.Shuffle<string>(TestMarket.Symbols.ToArray())
        from sizes in Gen.ArrayOf(Gen.Choose(1, 50), MaxLegs)
        from signs in Gen.ArrayOf(Gen.Elements(-1, 1), MaxLegs)
        from entryBps in Gen.ArrayOf(Gen.Choose(-500, 500), MaxLegs)
        from orderCount in Gen.Choose(0, withOrders ? 3 : 0)
        from orderLegs in Gen.ArrayOf(Gen.Choose(0, MaxLegs - 1), 3)
        from orderSides in Gen.ArrayOf(Gen.Elements(OrderSide.Buy, OrderSide.Sell), 3)
        from orderSizes in Gen.ArrayOf(Gen.Choose(1, 30), 3)
        from usdt in Gen.Choose(0, 500_000)
        from btcTenths in Gen.Choose(0, 50)
        select Build(market, symbols.Take(count).ToArray(), sizes, signs, entryBps,
            Enumerable.Range(0, orderCount).Select(k => (orderLegs[k] % count, orderSides[k], orderSizes[k])).ToArray(),
            usdt, btcTenths / 10m);

    /// <summary>Pairs of distinct instruments with identical scenario vectors (a USDT listing and its USDC twin).</summary>
    public static IReadOnlyList<(string Symbol, string Twin)> Twins { get; } =
        new[] { (TestMarket.BtcUsdt, TestMarket.BtcUsdc) }
            .Concat(TestMarket.Strikes.SelectMany(k => new[] { OptionKind.Call, OptionKind.Put }
                .Select(kind => (TestMarket.LinearOption(kind, k), TestMarket.LinearOption(kind, k, "USDC")))))
            .ToArray();

    /// <summary>The number of contracts a generated size stands for: coins in tenths, or $1,000 of an inverse perpetual.</summary>
    public static decimal Contracts(Instrument instrument, int size) => instrument switch
    {
        { Settlement: SettlementKind.Inverse } and not OptionContract => size * 100m,
        { Underlying: "ETH" } => size,
        _ => size / 10m,
    };

    private static Portfolio Build(MarketSnapshot market, string[] symbols, int[] sizes, int[] signs, int[] entryBps,
        (int Leg, OrderSide Side, int Size)[] orders, int usdt, decimal btc)
    {
        var positions = symbols.Select((s, k) =>
        {
            var instrument = market.GetInstrument(s);
            var mark = market.MarkOf(s).MarkPrice;
            var entry = Math.Round(mark * (1 + (entryBps[k] / 10_000m)), 2);
            return new Position(s, signs[k] * Contracts(instrument, sizes[k]), entry);
        }).ToArray();
        var openOrders = orders.Select((o, k) =>
        {
            var symbol = symbols[o.Leg];
            return new OpenOrder($"o{k}", symbol, o.Side, Contracts(market.GetInstrument(symbol), o.Size), market.MarkOf(symbol).MarkPrice);
        });
        return new Portfolio("acc-prop", [new CollateralBalance("USDT", usdt), new CollateralBalance("BTC", btc)], positions, openOrders);
    }
}
