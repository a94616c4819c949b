using System.Diagnostics;
using System.Globalization;
using CrossMargin.Actors;
using CrossMargin.Benchmarks.Engine;
using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Benchmarks.Market;

/// <summary>
/// What re-pricing the held option marks adds to an index move (session 28): one BTC price actor as the feed runs it,
/// holding two perpetuals and N linear options (calls and puts, strikes from 30,000 up in steps of 500, four expiries 7 to
/// 180 days out, marked at Black-76 and 60% with the vol given), on the system clock; its publisher is a signal, not the
/// market publisher. Each move is a 1% index step (alternately up and down) sent as one <see cref="UpdateIndex"/>, timed
/// from the send to the <see cref="PricesAccepted"/> reaching the publisher, with process CPU per move (the sender blocks
/// on the signal rather than spinning). N = 0 is the baseline: the difference is the re-pricing in the actor. The
/// publisher's share (N more marks merged per move) is not in it.
/// </summary>
internal static class RepriceBenchmark
{
    private const int Warmups = 500;
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    public static Task<int> RunAsync(RepriceBenchOptions options)
    {
        foreach (var line in MachineFacts.Describe())
        {
            Print(line);
        }

        foreach (var count in options.Counts)
        {
            if (!Run(count, options.Moves))
            {
                return Task.FromResult(1);
            }
        }

        return Task.FromResult(0);
    }

    private static bool Run(int count, int moves)
    {
        var clock = TimeProvider.System;
        var (instruments, latest, market) = Opening(count, clock.GetUtcNow());
        var system = ActorSystem.Create("reprice");
        using var publisher = new SignalRef();
        var replies = new CountingRef("replies", _ => false);
        var counters = new PriceCounters();
        var actor = system.ActorOf(Props.Create(() => new PriceActor("BTC", instruments, market, latest, new PriceOptions(), publisher, counters, clock)), "price-BTC");
        var index = 60_000m;
        var sample = new LatencySample(moves);
        var cpu = TimeSpan.Zero;
        for (var move = 0; move < Warmups + moves; move++)
        {
            if (move == Warmups)
            {
                cpu = Process.GetCurrentProcess().TotalProcessorTime;
                publisher.Marks = 0;
            }

            index = move % 2 == 0 ? decimal.Round(index * 1.01m, 2) : decimal.Round(index / 1.01m, 2);
            var sent = Stopwatch.GetTimestamp();
            actor.Tell(new UpdateIndex("BTC", index, clock.GetUtcNow()), replies);
            if (!publisher.Wait(WaitLimit))
            {
                Print($"{count} options: move {move} reached no publisher within {WaitLimit.TotalSeconds:0} s");
                return false;
            }

            if (move >= Warmups)
            {
                sample.Add(Stopwatch.GetTimestamp() - sent);
            }
        }

        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Print(string.Create(CultureInfo.InvariantCulture,
            $"{count,5} options, {moves} moves: index to PricesAccepted {sample.Describe()}; process CPU {cpu.TotalMicroseconds / moves:N1} us per move; "
            + $"{(double)publisher.Marks / moves:N1} marks per move (2 perpetuals, within the band, stay)"));
        system.Terminate().Wait(WaitLimit);
        return true;
    }

    /// <summary>Two perpetuals and <paramref name="count"/> options at index 60,000 (forwards at a 5% annual carry), marked at 60% vol.</summary>
    private static (Instrument[] Instruments, LatestMarket Latest, UnderlyingMarket Market) Opening(int count, DateTimeOffset now)
    {
        var expiries = new[] { 7, 30, 90, 180 }.Select(d => now.AddDays(d)).ToArray();
        var quoted = new UnderlyingMarket("BTC", 0.0, expiries.Select(e => new ForwardPoint(e, decimal.Round(60_000m * (decimal)Math.Exp(0.05 * YearFraction.Act365(now, e)), 2))));
        var instruments = new List<Instrument>
        {
            new Perpetual("BTCUSDT", "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m),
            new Perpetual("BTCUSDC", "BTC", "USDC", "USDC", SettlementKind.Linear, 1m, 0.01m),
        };
        for (var i = 0; i < count; i++)
        {
            var expiry = expiries[i % expiries.Length];
            var kind = i / expiries.Length % 2 == 0 ? OptionKind.Call : OptionKind.Put;
            var strike = 30_000m + (500m * (i / (2 * expiries.Length)));
            instruments.Add(new OptionContract($"BTC-{expiry:yyMMdd}-{strike}-{(kind == OptionKind.Call ? "C" : "P")}", "BTC", "USDT", "USDT",
                SettlementKind.Linear, 1m, 0.01m, expiry, kind, strike));
        }

        var marks = instruments.Select(i => i is OptionContract o
            ? new InstrumentMark(o.Symbol, Math.Max(0.01m, decimal.Round((decimal)Black76.Price(o.Kind, quoted.ForwardFor(o.Expiry!.Value, now, 60_000), (double)o.Strike,
                YearFraction.Act365(now, o.Expiry.Value), 0.6, 0), 2)), 0.6)
            : new InstrumentMark(i.Symbol, 60_000m));
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 60_000m, ["USDT"] = 1m, ["USDC"] = 1m };
        var snapshot = new MarketSnapshot(now, instruments, prices, [quoted], marks);
        return ([.. instruments], new LatestMarket(snapshot), quoted.QuotedAt(60_000));
    }

    private static void Print(string line) => Console.WriteLine(line);

    /// <summary>The publisher: counts the marks of each <see cref="PricesAccepted"/> and releases the waiting sender.</summary>
    private sealed class SignalRef : IActorRef, IDisposable
    {
        private readonly SemaphoreSlim _signal = new(0);

        public ActorPath Path { get; } = ActorPath.Root("bench").Child("publisher");

        public string Name => Path.Name;

        public long Marks { get; set; }

        public void Tell(object message, IActorRef? sender)
        {
            if (message is PricesAccepted accepted)
            {
                Marks += accepted.Marks.Count;
                _signal.Release();
            }
        }

        public bool Wait(TimeSpan limit) => _signal.Wait(limit);

        public void Dispose() => _signal.Dispose();
    }
}
