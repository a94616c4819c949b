using System.Diagnostics;
using System.Globalization;
using CrossMargin.Actors;
using CrossMargin.Engine;
using CrossMargin.Engine.Accounts;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Risk.Margin.Kernel;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Benchmarks.Engine;

/// <summary>
/// (f) Where an account's CPU goes, part by part, on one thread and without actors or the journal: one account as the
/// book's (two balances, the three BTC positions), each part run in a tight loop. Wall time per call, the fastest of five
/// rounds (on a loaded machine the fastest round is the one least interrupted).
/// </summary>
internal static class EngineParts
{
    private const int Rounds = 5;

    public static string[] Run(string config, int iterations)
    {
        Console.WriteLine();
        Console.WriteLine($"f. parts, one thread, {iterations:N0} calls per round, fastest of {Rounds} rounds (wall ns per call): one account with USDT, USDC "
            + "and the three BTC positions, standard cross margin, at the venue's market");
        var (market, _, models) = EngineRig.LoadVenue(config);
        var registry = RiskEngine.RegisterEvents(new EventTypeRegistry());
        var state = new AccountState("parts-0000001");
        state.Apply(new AccountOpened("open-p", "accounts", 1, MarginMode.StandardCross), market.FindInstrument);
        state.Apply(new Deposited("dep-usdt-p", "wallet", 1, "USDT", 100_000m), market.FindInstrument);
        state.Apply(new Deposited("dep-usdc-p", "wallet", 2, "USDC", 20_000m), market.FindInstrument);
        (string Symbol, OrderSide Side, decimal Quantity)[] fills = [(EngineRig.Book[0], OrderSide.Buy, 200m), (EngineRig.Book[1], OrderSide.Sell, 100m), (EngineRig.Book[2], OrderSide.Buy, 1m)];
        var sequence = 0;
        foreach (var (symbol, side, quantity) in fills)
        {
            sequence++;
            state.Apply(new ExecutionApplied($"f-{sequence}", "me", sequence, $"f-{sequence}", $"fo-{sequence}", symbol, side, quantity, market.MarkOf(symbol).MarkPrice, 0m,
                Liquidity.Taker, market.ValuationTime, false), market.FindInstrument);
        }

        var price = market.MarkOf(EngineRig.Book[0]).MarkPrice;
        var command = new ApplyExecution("x-1", "me-parts", sequence + 1, "x-1", "x-1", EngineRig.Book[0], OrderSide.Buy, 1m, price, 0m, Liquidity.Taker, market.ValuationTime);
        var applied = new ExecutionApplied("x-1", "me-parts", sequence + 1, "x-1", "x-1", EngineRig.Book[0], OrderSide.Buy, 1m, price, 0m, Liquidity.Taker, market.ValuationTime, false);
        var figures = models.Figures(state, market);
        var prices = new[] { market.PriceOf("BTC"), market.PriceOf("USDC"), market.PriceOf("USDT") };
        var ids = Enumerable.Range(0, iterations).Select(i => string.Create(CultureInfo.InvariantCulture, $"bx-parts-0000001-{i}")).ToArray();
        var copy = state.Clone();
        var kernel = MarginBook.KernelFor(models.StandardCross)!;
        var holdings = kernel.Compile(state.BalanceList, state.PositionList, state.OpenOrderList)!;
        var tables = kernel.At(market);
        var settlement = SettlementPrices.For(market);
        var next = 0L;

        var lines = new List<string>
        {
            Part("figures only (AccountMarginModels.Figures)", iterations, () => models.Figures(state, market)),
            Part("kernel figures (StandardCrossKernel.TryCompute at the snapshot's tables)", iterations, () =>
                StandardCrossKernel.TryCompute(holdings, tables, out var kernelFigures) ? kernelFigures.EquityUsd : 0m),
            Part($"kernel figures, double path alone (TryComputeInDoubles; decides this account: {(StandardCrossKernel.TryComputeInDoubles(holdings, tables, out _) ? "yes" : "no")})",
                iterations, () => StandardCrossKernel.TryComputeInDoubles(holdings, tables, out var fastFigures) ? fastFigures.EquityUsd : 0m),
            Part("kernel figures, decimal path alone (TryComputeInDecimal: the fallback)", iterations, () =>
                StandardCrossKernel.TryComputeInDecimal(holdings, tables, out var exactFigures) ? exactFigures.EquityUsd : 0m),
            Part("kernel limits (SettlementPrices.AmountsOf)", iterations, () => settlement.AmountsOf(figures.AvailableMarginUsd)),
            Part("compile holdings (StandardCrossKernel.Compile, once per change)", iterations, () => kernel.Compile(state.BalanceList, state.PositionList, state.OpenOrderList)!),
            Part("explained assessment (AccountMarginModels.Assess)", iterations / 4, () => models.Assess(state, market)),
            Part("decide one execution (AccountDecider.Decide: checks, what-if, figures after)", iterations, () => AccountDecider.Decide(state, command, market, models)),
            Part("pre-trade check (AccountDecider.CheckPreTrade: figures before, a what-if fill, figures after)", iterations, () =>
                AccountDecider.CheckPreTrade(state, new CheckPreTrade("q", EngineRig.Book[0], OrderSide.Buy, 1m, price), market, models)),
            Part("serialize ExecutionApplied (EventTypeRegistry.Serialize)", iterations, () => registry.Serialize(applied)),
            Part("apply one execution (AccountState.Apply, alternately buy and sell)", iterations, () =>
            {
                var n = next++;
                var id = ids[n % ids.Length];
                copy.Apply(new ExecutionApplied(id, "me-parts", sequence + 1 + n, id, id, EngineRig.Book[0], n % 2 == 0 ? OrderSide.Buy : OrderSide.Sell, 1m, price, 0m,
                    Liquidity.Taker, market.ValuationTime, false), market.FindInstrument);
                return copy;
            }),
            Part("message id hash, managed (MessageIdHash.Of, what the ledger uses; twice per execution)", iterations, () =>
                MessageIdHash.Of(System.Text.Encoding.UTF8.GetBytes(ids[next++ % ids.Length]))),
            Part("message id hash through the platform (SHA256.HashData: OpenSSL on Linux; what it used before)", iterations, () =>
                System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ids[next++ % ids.Length]))),
            Part("margin summary (MarginSummary.Of)", iterations, () => MarginSummary.Of(figures)),
            Part("limits arithmetic (3 settlement assets: floor(available / price, 1e-8))", iterations, () =>
            {
                var amounts = new decimal[prices.Length];
                for (var i = 0; i < prices.Length; i++)
                {
                    amounts[i] = Math.Floor(figures.AvailableMarginUsd / prices[i] * 100_000_000m) / 100_000_000m;
                }

                return amounts;
            }),
        };
        lines.AddRange(PassParts(kernel, state, market, tables, settlement));
        foreach (var line in lines)
        {
            Console.WriteLine("   " + line);
        }

        return [.. lines.Select(l => "f. " + l)];
    }

    // What a re-margin pass does per account, without actors: over 50,000 accounts compiled apart (so their holdings lie
    // spread over the heap as a live book's do), one account per call, each step on top of the one before.
    private static string[] PassParts(StandardCrossKernel kernel, AccountState state, MarketSnapshot market, StandardKernelMarket tables, SettlementPrices settlement)
    {
        const int Accounts = 50_000;
        var entries = new MarginBookEntry[Accounts];
        for (var i = 0; i < Accounts; i++)
        {
            var positions = state.PositionList.Select(p => p with { Quantity = p.Quantity * (1 + (i % 5)) }).ToArray();
            var balances = state.BalanceList.Select(b => b with { Amount = b.Amount + i }).ToArray();
            entries[i] = new MarginBookEntry($"pass-{i:D7}", kernel, kernel.Compile(balances, positions, [])!, null);
        }

        // Slots joined as accounts join a live partition; their cells are made on the first write, then written in place.
        var partition = new MarginBookPartition();
        var slots = entries.Select(_ => partition.Join(ActorRefs.Nobody)).ToArray();
        var moved = tables.Moved(new HashSet<string>(StringComparer.Ordinal) { "BTC" });
        var amounts = new decimal[settlement.Assets.Length];
        var next = 0;
        return
        [
            Part($"pass per account of {Accounts:N0}: Concerns + kernel figures", Accounts, () =>
            {
                var entry = entries[next++ % Accounts];
                return StandardCrossKernel.Concerns(entry.Holdings, moved) && StandardCrossKernel.TryCompute(entry.Holdings, tables, out var f) ? f.EquityUsd : 0m;
            }),
            Part($"pass per account of {Accounts:N0}: + the figures written in place into its slot", Accounts, () =>
            {
                var i = next++ % Accounts;
                var entry = entries[i];
                if (StandardCrossKernel.Concerns(entry.Holdings, moved) && StandardCrossKernel.TryCompute(entry.Holdings, tables, out var f))
                {
                    slots[i].Write(i + 2, f, market.ValuationTime, settlement);
                }

                return entry.Holdings;
            }),
            Part($"pass per account of {Accounts:N0}: + the limit amounts of its batch row", Accounts, () =>
            {
                var i = next++ % Accounts;
                var entry = entries[i];
                if (!StandardCrossKernel.Concerns(entry.Holdings, moved) || !StandardCrossKernel.TryCompute(entry.Holdings, tables, out var f))
                {
                    return entry.Holdings;
                }

                slots[i].Write(i + 2, f, market.ValuationTime, settlement);
                settlement.AmountsInto(f.EquityUsd - f.InitialMarginUsd, amounts);
                return entry.Holdings;
            }),
        ];
    }

    private static string Part(string name, int iterations, Func<object> body)
    {
        object? sink = null;
        for (var i = 0; i < Math.Min(iterations, 2_000); i++)
        {
            sink = body();
        }

        var best = double.MaxValue;
        var allocated = 0L;
        for (var round = 0; round < Rounds; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < iterations; i++)
            {
                sink = body();
            }

            var ns = Stopwatch.GetElapsedTime(started).TotalNanoseconds / iterations;
            allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / iterations;
            best = Math.Min(best, ns);
        }

        GC.KeepAlive(sink);
        return string.Create(CultureInfo.InvariantCulture, $"{name}: {best:N0} ns, {allocated:N0} B allocated per call");
    }
}
