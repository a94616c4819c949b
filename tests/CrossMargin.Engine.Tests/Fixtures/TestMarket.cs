// Copied from tests/CrossMargin.Risk.Tests/Fixtures: the engine tests price accounts in the same small market.
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Engine.Tests.Fixtures;

/// <summary>
/// A small BTC/ETH market at a fixed instant: linear perpetuals (BTCUSDT with a USDC twin, ETHUSDT), an inverse
/// BTC perpetual, a linear March future, and March BTC options listed three ways: linear in USDT, an identical
/// USDC twin (so a position and its exact offset can be held in one account), and inverse (Deribit style).
/// Marks move with the index so a test can walk the market.
/// </summary>
public static class TestMarket
{
    /// <summary>The valuation instant of every snapshot (Deribit's 08:00 UTC).</summary>
    public static readonly DateTimeOffset ValuationTime = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Expiry of the March future and options: 25 days after <see cref="ValuationTime"/>.</summary>
    public static readonly DateTimeOffset March = new(2026, 3, 27, 8, 0, 0, TimeSpan.Zero);

    public const string BtcUsdt = "BTCUSDT";
    public const string BtcUsdc = "BTCUSDC";
    public const string EthUsdt = "ETHUSDT";
    public const string BtcInversePerp = "BTC-PERPETUAL";
    public const string BtcMarchFuture = "BTCUSDT-260327";

    /// <summary>Basis of the March forward over the index.</summary>
    public const decimal MarchBasis = 1.005m;

    /// <summary>The inverse perpetual trades at a premium to the index, so S/P differs from 1.</summary>
    public const decimal InversePerpPremium = 1.0005m;

    public static readonly int[] Strikes = [50000, 55000, 60000, 65000, 70000];

    private static readonly double[] SmileVols = [0.62, 0.58, 0.55, 0.56, 0.59];

    /// <summary>A linear option quoted and settled in <paramref name="quote"/> (USDT or USDC).</summary>
    public static string LinearOption(OptionKind kind, int strike, string quote = "USDT") =>
        $"BTC-260327-{strike}-{Letter(kind)}-{quote}";

    /// <summary>An inverse (BTC-settled) option.</summary>
    public static string InverseOption(OptionKind kind, int strike) => $"BTC-27MAR26-{strike}-{Letter(kind)}";

    /// <summary>The implied vol of the March smile at a listed strike.</summary>
    public static double VolAt(int strike) => SmileVols[Array.IndexOf(Strikes, strike)];

    /// <summary>Every instrument of the market.</summary>
    public static IReadOnlyList<Instrument> Instruments { get; } = BuildInstruments();

    /// <summary>Every symbol, in listing order.</summary>
    public static IReadOnlyList<string> Symbols { get; } = Instruments.Select(i => i.Symbol).ToArray();

    /// <summary>The market with BTC at <paramref name="btc"/> and ETH at <paramref name="eth"/> (USD).</summary>
    public static MarketSnapshot Build(decimal btc = 60000m, decimal eth = 3000m) =>
        Build(btc, eth, Instruments);

    /// <summary>The market restricted to <paramref name="instruments"/>.</summary>
    public static MarketSnapshot Build(decimal btc, decimal eth, IEnumerable<Instrument> instruments)
    {
        var listed = instruments.ToArray();
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal)
        {
            ["BTC"] = btc, ["ETH"] = eth, ["USDT"] = 1m, ["USDC"] = 1m, ["USD"] = 1m,
        };
        var forward = btc * MarchBasis;
        var underlyings = new[]
        {
            new UnderlyingMarket("BTC", 0, [new ForwardPoint(March, forward)]),
            new UnderlyingMarket("ETH", 0),
        };
        return new MarketSnapshot(ValuationTime, listed, prices, underlyings, listed.Select(i => MarkOf(i, btc, eth, forward)));
    }

    private static InstrumentMark MarkOf(Instrument instrument, decimal btc, decimal eth, decimal forward)
    {
        switch (instrument)
        {
            case OptionContract option:
                var vol = VolAt((int)option.Strike);
                var years = YearFraction.Act365(ValuationTime, March);
                var usd = Black76.Price(option.Kind, (double)forward, (double)option.Strike, years, vol, 0);
                var mark = option.Settlement == SettlementKind.Inverse
                    ? Math.Round((decimal)(usd / (double)forward), 4)
                    : Math.Round((decimal)usd, 2);
                return new InstrumentMark(option.Symbol, Math.Max(mark, option.TickSize), vol);
            case Future:
                return new InstrumentMark(instrument.Symbol, forward);
            default:
                var index = instrument.Underlying == "ETH" ? eth : btc;
                var perpMark = instrument.Settlement == SettlementKind.Inverse
                    ? Math.Round(index * InversePerpPremium * 2, 0) / 2
                    : index;
                return new InstrumentMark(instrument.Symbol, perpMark);
        }
    }

    private static Instrument[] BuildInstruments()
    {
        var list = new List<Instrument>
        {
            new Perpetual(BtcUsdt, "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m),
            new Perpetual(BtcUsdc, "BTC", "USDC", "USDC", SettlementKind.Linear, 1m, 0.01m),
            new Perpetual(EthUsdt, "ETH", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m),
            new Perpetual(BtcInversePerp, "BTC", "USD", "BTC", SettlementKind.Inverse, 10m, 0.5m),
            new Future(BtcMarchFuture, "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m, March),
        };
        foreach (var strike in Strikes)
        {
            foreach (var kind in new[] { OptionKind.Call, OptionKind.Put })
            {
                list.Add(new OptionContract(LinearOption(kind, strike), "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m, March, kind, strike));
                list.Add(new OptionContract(LinearOption(kind, strike, "USDC"), "BTC", "USDC", "USDC", SettlementKind.Linear, 1m, 0.01m, March, kind, strike));
                list.Add(new OptionContract(InverseOption(kind, strike), "BTC", "USD", "BTC", SettlementKind.Inverse, 1m, 0.0001m, March, kind, strike));
            }
        }

        return list.ToArray();
    }

    private static string Letter(OptionKind kind) => kind == OptionKind.Call ? "C" : "P";
}
