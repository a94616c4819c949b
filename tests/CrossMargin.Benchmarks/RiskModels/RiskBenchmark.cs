using System.Diagnostics;
using CrossMargin.Benchmarks.Book;
using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Historical;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Margin.Standard;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Stress;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Benchmarks.RiskModels;

/// <summary>
/// Figures of the further risk models: (a) historical-simulation VaR/ES with full Black-76 revaluation over N
/// scenarios for an option book; (b) a stress (BTC -30%, ETH following at beta 1.2, vols +20 points) of the
/// synthetic book: per-account P&amp;L, post-shock portfolio margin, status counts, shortfall, checked on a sample
/// against <see cref="StressTester"/> on whole portfolios. Exit code 2 when the sample disagrees.
/// </summary>
internal static class RiskBenchmark
{
    private const int Runs = 5;
    private const int ChunkSize = 4096;
    private const int CheckSample = 200;
    // Marks of deep out-of-the-money options are quoted to the cent (0.00) and a shocked mark is floored at 0, so the
    // snapshot path can lose a fraction of a cent per contract against the vector path's exact Black-76 change.
    private const double Tolerance = 1e-5;

    public static int Run(RiskBenchOptions options)
    {
        foreach (var line in MachineFacts.Describe())
        {
            Console.WriteLine(line);
        }

        var market = SyntheticMarket.Snapshot(1.0);
        HistoricalVar(options, market);
        return BookStress(options, market);
    }

    /// <summary>(a) VaR and ES of a seeded option book over the scenarios of a seeded history.</summary>
    private static void HistoricalVar(RiskBenchOptions options, Risk.Market.MarketSnapshot market)
    {
        var random = new Random(options.Seed);
        var optionContracts = SyntheticBook.Instruments.OfType<OptionContract>().ToArray();
        var legs = Enumerable.Range(0, optionContracts.Length).OrderBy(_ => random.Next()).Take(options.Legs)
            .Select(i => new Position(optionContracts[i].Symbol, (random.Next(1, 51) * (random.NextDouble() < 0.5 ? -1 : 1)), 0)).ToArray();
        var positions = legs.Select(p => PositionValuation.Of(p, market)).ToArray();
        var history = SyntheticPriceHistory.Generate(options.Seed, new DateOnly(2022, 1, 1), options.Scenarios + 1, SyntheticPriceHistory.Demo, 300, 330);
        var parameters = new HistoricalSimulationParameters(RiskMeasure.ExpectedShortfall, LookbackDays: options.Scenarios);

        var started = Stopwatch.GetTimestamp();
        var model = new HistoricalSimulationModel(parameters, history);
        var buildMs = Ms(started);
        var requirement = model.Compute(positions, [], market);
        var times = new double[Runs];
        for (var r = 0; r < Runs; r++)
        {
            started = Stopwatch.GetTimestamp();
            requirement = model.Compute(positions, [], market);
            times[r] = Ms(started);
        }

        var h = requirement.Historical!;
        var revaluations = (double)options.Legs * model.Scenarios.Count;
        Print($"a. historical simulation: {options.Legs} option legs x {model.Scenarios.Count:N0} scenarios = {revaluations:N0} Black-76 revaluations; scenarios built in {buildMs:F1} ms");
        Print($"a. VaR+ES (one thread, positions case): median {Median(times):F2} ms = {revaluations / Median(times) / 1000:F2} M revaluations/s (runs {string.Join(", ", times.Select(t => t.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} ms)");
        Print($"a. VaR {h.VarConfidence:P0} {h.VarUsd:N2} USD, ES {h.EsConfidence:P1} {h.EsUsd:N2} USD, worst scenario {h.WorstScenario:yyyy-MM-dd} loss {h.WorstLossUsd:N2} USD");
    }

    /// <summary>(b) The stress of the whole synthetic book.</summary>
    private static int BookStress(RiskBenchOptions options, Risk.Market.MarketSnapshot market)
    {
        var started = Stopwatch.GetTimestamp();
        var book = SyntheticBook.Generate(options.Accounts, options.Seed);
        var instruments = SyntheticBook.Instruments;
        Print($"b. book: {book.AccountCount:N0} accounts, {book.LegCount:N0} legs, generated in {Ms(started):F0} ms");

        var parameters = DeribitLikeParameters.Create();
        var baseSet = ScenarioVectorSet.Build(parameters, market);
        var legs = book.Legs.Select(i => baseSet.InstrumentIndexOf(instruments[i].Symbol)).ToArray();
        var baseIm = new double[book.AccountCount];
        InChunks(book.AccountCount, baseSet.ScratchLength, (from, to, scratch) =>
        {
            for (var a = from; a < to; a++)
            {
                baseIm[a] = ScenarioMarginModel.InitialMargin(baseSet, legs.AsSpan(book.Offsets[a], book.Offsets[a + 1] - book.Offsets[a]), book.Quantities.AsSpan(book.Offsets[a], book.Offsets[a + 1] - book.Offsets[a]), default, scratch);
            }
        });

        // Collateral: each account holds its base IM times a seeded cushion in [1, 2) in USDC, so the book starts healthy.
        var random = new Random(options.Seed + 1);
        var collateral = baseIm.Select(im => Math.Round(im * (1 + random.NextDouble()), 2)).ToArray();
        var scenario = new StressScenario("crash", [new UnderlyingShock("BTC", -0.30, 0.20)], [new CorrelatedMove("ETH", "BTC", 1.2)]);
        var shock = scenario.ToShock();

        var times = new double[Runs];
        StressFigures figures = default;
        for (var r = 0; r < Runs; r++)
        {
            started = Stopwatch.GetTimestamp();
            figures = Stress(book, legs, collateral, market, shock, parameters, out var pnl);
            times[r] = Ms(started);
            if (r == Runs - 1 && !Check(book, collateral, market, shock, parameters, pnl))
            {
                return 2;
            }
        }

        Print($"b. stress {scenario.Name} (BTC -30%, ETH beta 1.2 = -36%, vols +20 points): shocked snapshot + vectors {figures.BuildMs:F1} ms; whole book median {Median(times):F1} ms for {book.AccountCount:N0} accounts = {book.AccountCount / Median(times) / 1000:F2} M accounts/s ({Environment.ProcessorCount} threads; runs {string.Join(", ", times.Select(t => t.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} ms)");
        Print($"b. book P&L {figures.Pnl:N2} USD; after the shock: {figures.Healthy:N0} healthy, {figures.MarginCall:N0} margin call, {figures.Liquidation:N0} liquidation, {figures.Bankrupt:N0} bankrupt; shortfall to MM {figures.Shortfall:N2} USD, deficit {figures.Deficit:N2} USD");
        return 0;
    }

    private static StressFigures Stress(SyntheticBook book, int[] legs, double[] collateral, Risk.Market.MarketSnapshot market, MarketShock shock,
        PortfolioMarginParameters parameters, out double[] pnl)
    {
        var started = Stopwatch.GetTimestamp();
        var shocked = shock.Apply(market);
        var set = ScenarioVectorSet.Build(parameters, shocked);
        var perContract = SyntheticBook.Instruments.Select(i => Revaluation.PnlUsd(i, 1, 0, market, shock.SpotFactor(i.Underlying), shock.VolShift(i.Underlying))).ToArray();
        var buildMs = Ms(started);
        var accountPnl = new double[book.AccountCount];
        var status = new byte[book.AccountCount];
        var shortfall = new double[book.AccountCount];
        var deficit = new double[book.AccountCount];
        InChunks(book.AccountCount, set.ScratchLength, (from, to, scratch) =>
        {
            for (var a = from; a < to; a++)
            {
                var start = book.Offsets[a];
                var count = book.Offsets[a + 1] - start;
                var p = 0.0;
                for (var k = start; k < start + count; k++)
                {
                    p += book.Quantities[k] * perContract[book.Legs[k]];
                }

                var im = ScenarioMarginModel.InitialMargin(set, legs.AsSpan(start, count), book.Quantities.AsSpan(start, count), default, scratch);
                var mm = im * parameters.MaintenanceFactor;
                var equity = collateral[a] + p;
                accountPnl[a] = p;
                status[a] = (byte)(equity < 0 ? 3 : equity < mm ? 2 : equity < im ? 1 : 0);
                shortfall[a] = Math.Max(0, mm - equity);
                deficit[a] = Math.Max(0, -equity);
            }
        });
        pnl = accountPnl;
        return new StressFigures(buildMs, accountPnl.Sum(), status.Count(s => s == 0), status.Count(s => s == 1), status.Count(s => s == 2), status.Count(s => s == 3), shortfall.Sum(), deficit.Sum());
    }

    /// <summary>A strided sample through <see cref="StressTester"/> on whole portfolios: the P&amp;L must agree.</summary>
    private static bool Check(SyntheticBook book, double[] collateral, Risk.Market.MarketSnapshot market, MarketShock shock, PortfolioMarginParameters parameters, double[] pnl)
    {
        var calculator = new MarginCalculator(new ScenarioMarginModel(parameters),
            new StandardMarginModel(new StandardMarginParameters(new Dictionary<string, RiskLimitSchedule> { ["*"] = new([(0m, null, 0.02m, 0.01m, null)]) }, new OptionMarginParameters(0.15m, 0.1m, 0.075m, 0.075m))),
            new CollateralSchedule([new CollateralRule("USDC", [new HaircutTier(null, 0m)])]));
        var shocked = shock.Apply(market);
        var sample = Math.Min(CheckSample, book.AccountCount);
        var maxRel = 0.0;
        for (var j = 0; j < sample; j++)
        {
            var a = (int)((long)j * book.AccountCount / sample);
            var positions = Enumerable.Range(book.Offsets[a], book.Offsets[a + 1] - book.Offsets[a])
                .Select(k => new Position(SyntheticBook.Instruments[book.Legs[k]].Symbol, (decimal)book.Quantities[k], market.MarkOf(SyntheticBook.Instruments[book.Legs[k]].Symbol).MarkPrice));
            var portfolio = new Portfolio($"acc-{a}", [new CollateralBalance("USDC", (decimal)collateral[a])], positions);
            var before = calculator.Assess(portfolio, market);
            var after = calculator.Assess(portfolio, shocked);
            var exact = (double)(StressTester.EquityOf(after) - StressTester.EquityOf(before));
            maxRel = Math.Max(maxRel, Math.Abs(exact - pnl[a]) / Math.Max(Math.Abs(exact), 1.0));
        }

        Print($"b. check: {sample} sampled accounts through StressTester (MarginCalculator at the shocked snapshot): max rel P&L diff {maxRel:G3} (limit {Tolerance:E0}) {(maxRel <= Tolerance ? "OK" : "FAIL")}");
        return maxRel <= Tolerance;
    }

    private static void InChunks(int count, int scratchLength, Action<int, int, double[]> body)
    {
        var chunks = (count + ChunkSize - 1) / ChunkSize;
        Parallel.For(0, chunks, () => new double[scratchLength], (c, _, scratch) =>
        {
            body(c * ChunkSize, Math.Min((c + 1) * ChunkSize, count), scratch);
            return scratch;
        }, _ => { });
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static double Ms(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private static void Print(FormattableString line) => Console.WriteLine(FormattableString.Invariant(line));

    private readonly record struct StressFigures(double BuildMs, double Pnl, int Healthy, int MarginCall, int Liquidation, int Bankrupt, double Shortfall, double Deficit);
}
