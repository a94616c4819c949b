using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using FsCheck;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Fixtures;

/// <summary>Generators of positions and fills over every kind of instrument of <see cref="TestMarket"/>.</summary>
public static class LedgerGen
{
    /// <summary>A linear and an inverse perpetual, a linear future, a linear and an inverse option.</summary>
    public static IReadOnlyList<Instrument> Instruments { get; } = new[]
    {
        TestMarket.BtcUsdt, TestMarket.EthUsdt, TestMarket.BtcInversePerp, TestMarket.BtcMarchFuture,
        TestMarket.LinearOption(OptionKind.Call, 60000), TestMarket.InverseOption(OptionKind.Put, 55000),
    }.Select(s => TestMarket.Instruments.Single(i => i.Symbol == s)).ToArray();

    public static Gen<Instrument> Instrument => Gen.Elements(Instruments.ToArray());

    /// <summary>A price on the tick within ±50% of the instrument's reference level.</summary>
    public static Gen<decimal> Price(Instrument instrument) =>
        Gen.Choose(-5_000, 5_000).Select(bps =>
            Math.Max(instrument.TickSize, Math.Round(ReferencePrice(instrument) * (1 + (bps / 10_000m)) / instrument.TickSize) * instrument.TickSize));

    /// <summary>Contracts: tenths of a BTC, whole ETH, or $100 lots of the inverse perpetual.</summary>
    public static Gen<decimal> Quantity(Instrument instrument) =>
        Gen.Choose(1, 500).Select(n => PortfolioGen.Contracts(instrument, n));

    /// <summary>A fee or rebate with at most 4 decimals, so fees never need booking themselves.</summary>
    public static Gen<decimal> Fee => Gen.Choose(-1_000, 100_000).Select(n => n * 0.0001m);

    public static Gen<OrderSide> Side => Gen.Elements(OrderSide.Buy, OrderSide.Sell);

    /// <summary>
    /// A position built by one to four same-direction fills, so its entry is often a long decimal average, not a tick.
    /// </summary>
    public static Gen<Position> Position(Instrument instrument) =>
        from side in Side
        from count in Gen.Choose(1, 4)
        from quantities in Gen.ArrayOf(Quantity(instrument), 4)
        from prices in Gen.ArrayOf(Price(instrument), 4)
        select Enumerable.Range(0, count).Aggregate((Position?)null, (p, k) =>
            TradeAccounting.Apply(p, instrument, new Fill(instrument.Symbol, side, quantities[k], prices[k])).Position)!;

    /// <summary>A notional in the settlement asset, the scale decimal's relative error is measured against.</summary>
    public static decimal Scale(Instrument instrument, decimal quantity, decimal price) =>
        instrument is not OptionContract && instrument.Settlement == SettlementKind.Inverse
            ? Math.Abs(quantity) * instrument.ContractSize / price
            : Math.Abs(quantity) * instrument.ContractSize * price;

    /// <summary>A snapshot listing <paramref name="instrument"/> alone, marked at <paramref name="mark"/>.</summary>
    public static MarketSnapshot MarkedAt(Instrument instrument, decimal mark) => new(
        TestMarket.ValuationTime,
        [instrument],
        new Dictionary<string, decimal>(StringComparer.Ordinal)
        {
            ["BTC"] = 60_000m, ["ETH"] = 3_000m, ["USDT"] = 1m, ["USDC"] = 1m, ["USD"] = 1m,
        },
        [
            new UnderlyingMarket("BTC", 0, [new ForwardPoint(TestMarket.March, 60_000m * TestMarket.MarchBasis)]),
            new UnderlyingMarket("ETH", 0),
        ],
        [new InstrumentMark(instrument.Symbol, mark, instrument is OptionContract ? 0.6 : null)]);

    private static decimal ReferencePrice(Instrument instrument) => instrument switch
    {
        OptionContract { Settlement: SettlementKind.Inverse } => 0.03m,
        OptionContract => 2_000m,
        { Underlying: "ETH" } => 3_000m,
        _ => 60_000m,
    };
}
