using System.Text.Json;
using CrossMargin.Actors;
using CrossMargin.Actors.Shutdown;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Persistence.Sqlite;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Serialization;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Benchmarks.Engine;

/// <summary>
/// The engine as the node composes it (EngineHost): the venue's market and risk files from config/, a SQLite journal
/// (WAL, synchronous=FULL) in a fresh temporary directory, one <see cref="BatchingJournalWriter"/> with the default
/// <see cref="JournalOptions"/>, the default actor system, price and liquidation options, 64 shards (config/node.json),
/// and <see cref="RiskEngine.Start"/>. Disposing shuts the actors down, then the writer and the store, and deletes the directory.
/// The engine's clock (<see cref="Clock"/>) runs from the market file's valuation time, so the book (a December 2026
/// call among it) is the same whatever day the benchmark runs: on the system's date it expired and every fill was refused.
/// </summary>
internal sealed class EngineRig : IAsyncDisposable
{
    /// <summary>The instruments every benchmark account holds: a perpetual, a dated future and a call, all on BTC.</summary>
    public static readonly string[] Book = ["BTC-PERP", "BTC-26MAR27", "BTC-25DEC26-60000-C"];

    public const int ShardCount = 64;

    private readonly DirectoryInfo _directory;
    private readonly SqlitePersistence _store;
    private readonly BatchingJournalWriter _writer;

    private EngineRig(DirectoryInfo directory, SqlitePersistence store, BatchingJournalWriter writer, EventTypeRegistry registry, ActorSystem system, RiskEngine engine,
        TimeProvider clock)
    {
        Clock = clock;
        _directory = directory;
        _store = store;
        _writer = writer;
        Registry = registry;
        System = system;
        Engine = engine;
    }

    public ActorSystem System { get; }

    /// <summary>The engine's clock: the market file's valuation time when the rig started, running as the system's does.</summary>
    public TimeProvider Clock { get; }

    public RiskEngine Engine { get; }

    public EventTypeRegistry Registry { get; }

    public IJournal Journal => _store.Journal;

    /// <summary>The temporary directory the SQLite journal lives in.</summary>
    public string DataDirectory => _directory.FullName;

    /// <summary>Commit and checkpoint figures of the SQLite store since it opened or the last <see cref="ResetStoreStatistics"/>.</summary>
    public SqliteStatistics StoreStatistics => _store.Statistics;

    public void ResetStoreStatistics() => _store.ResetStatistics();

    /// <param name="configDirectory">The repository's config directory.</param>
    /// <param name="backgroundCheckpoint">Whether SQLite checkpoints in the background.</param>
    /// <param name="actors">The actor system's options; the defaults when null.</param>
    /// <param name="sqlite">Changes to the store's options.</param>
    /// <param name="start">The engine clock's starting instant; the market file's valuation time when null.</param>
    /// <param name="listing">Whether the venue file's listing schedules are in force, as on a node (off: the listing is the file's instruments).</param>
    public static async Task<EngineRig> StartAsync(string configDirectory, bool backgroundCheckpoint = true, ActorSystemOptions? actors = null, Action<SqlitePersistenceOptions>? sqlite = null,
        DateTimeOffset? start = null, bool listing = false)
    {
        var (market, assets, models) = LoadVenue(configDirectory);
        var directory = Directory.CreateTempSubdirectory("cm-bench-engine-");
        var store = await SqlitePersistence.OpenAsync(
            Configure(new SqlitePersistenceOptions { DataDirectory = directory.FullName, BackgroundCheckpoint = backgroundCheckpoint }, sqlite), TimeProvider.System);
        var writer = new BatchingJournalWriter(store.Journal, new JournalOptions(), TimeProvider.System);
        var registry = RiskEngine.RegisterEvents(new EventTypeRegistry());
        var services = new PersistenceServices(store.Journal, writer, store.SnapshotStore, registry, "bench-node", new PersistenceOptions());
        var options = actors ?? new ActorSystemOptions();
        var clock = new MarketDateClock(start ?? market.ValuationTime);
        var system = ActorSystem.Create("bench", options, timeProvider: clock);
        var engine = RiskEngine.Start(system, new RiskEngineSettings(market, assets, models, services,
            ShardCount, new PriceOptions(), new LiquidationOptions(), options.AskTimeout)
        {
            Listing = listing ? MarketFile.LoadListing(Path.Combine(configDirectory, "venue", "market.json")) : [],
        });
        return new EngineRig(directory, store, writer, registry, system, engine, clock);
    }

    private static SqlitePersistenceOptions Configure(SqlitePersistenceOptions options, Action<SqlitePersistenceOptions>? configure)
    {
        configure?.Invoke(options);
        return options;
    }

    /// <summary>The venue as the node loads it from <paramref name="configDirectory"/>: the market, its assets, the standard and portfolio calculators.</summary>
    public static (MarketSnapshot Market, string[] Assets, AccountMarginModels Models) LoadVenue(string configDirectory)
    {
        var marketPath = Path.Combine(configDirectory, "venue", "market.json");
        var market = MarketFile.Load(marketPath);
        string[] assets;
        using (var document = JsonDocument.Parse(File.ReadAllText(marketPath)))
        {
            assets = document.RootElement.GetProperty("assets").EnumerateObject().Select(p => p.Name).ToArray();
        }

        var standard = RiskParametersFile.Load(Path.Combine(configDirectory, "risk", "standard.json")).CreateCalculator();
        var portfolio = RiskParametersFile.Load(Path.Combine(configDirectory, "risk", "deribit-pm.json")).CreateCalculator();
        return (market, assets, new AccountMarginModels(standard, portfolio));
    }

    /// <summary>The repository's config directory: <paramref name="given"/>, or the first config/venue/market.json above the working or the program directory.</summary>
    public static string FindConfig(string? given)
    {
        if (given is not null)
        {
            return given;
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "config", "venue", "market.json")))
                {
                    return Path.Combine(dir.FullName, "config");
                }
            }
        }

        throw new ArgumentException("config/venue/market.json not found above the working directory; pass --config DIR.");
    }

    /// <summary>The three opening fills of account number <paramref name="i"/>, at the current marks: long perpetual, short future (a calendar spread with a net long), long call.</summary>
    public (string Symbol, OrderSide Side, decimal Quantity, decimal Price)[] OpeningFills(int i)
    {
        var market = Engine.Market.Current;
        var size = 1 + (i % 5);
        return
        [
            (Book[0], OrderSide.Buy, 200m * size, market.MarkOf(Book[0]).MarkPrice),
            (Book[1], OrderSide.Sell, 100m * size, market.MarkOf(Book[1]).MarkPrice),
            (Book[2], OrderSide.Buy, 1m * size, market.MarkOf(Book[2]).MarkPrice),
        ];
    }

    /// <summary>
    /// Writes the journals of accounts <paramref name="ids"/> straight to the store, in transactions of 1,000 accounts:
    /// per account the six events its commands would have produced (opened, USDT and USDC deposits, the three opening
    /// fills, or <paramref name="fills"/>). Nothing is live afterwards; an account starts, and recovers from these events, on its first message.
    /// </summary>
    public async Task SeedAsync(IReadOnlyList<string> ids, Func<int, (string Symbol, OrderSide Side, decimal Quantity, decimal Price)[]>? fills = null)
    {
        var now = Clock.GetUtcNow();
        for (var from = 0; from < ids.Count; from += 1_000)
        {
            var writes = new List<AtomicWrite>(1_000);
            for (var i = from; i < Math.Min(ids.Count, from + 1_000); i++)
            {
                var id = ids[i];
                var events = new List<IAccountEvent>
                {
                    new AccountOpened($"open-{id}", "accounts", 1, MarginMode.StandardCross),
                    new Deposited($"dep-usdt-{id}", "wallet", 1, "USDT", 100_000m),
                    new Deposited($"dep-usdc-{id}", "wallet", 2, "USDC", 20_000m),
                };
                var sequence = 0;
                foreach (var (symbol, side, quantity, price) in (fills ?? OpeningFills)(i))
                {
                    sequence++;
                    var executionId = $"seed-{id}-{sequence}";
                    events.Add(new ExecutionApplied(executionId, "me-seed", sequence, executionId, $"so-{id}-{sequence}", symbol, side, quantity, price, 0m,
                        Liquidity.Taker, now, false));
                }

                writes.Add(new AtomicWrite("account-" + id, 1, "bench-seed", events.Select(e => new EventData(Registry.Serialize(e))).ToArray()));
            }

            var results = await _store.Journal.WriteMessagesAsync(writes);
            if (results.FirstOrDefault(r => r is not null) is { } failure)
            {
                throw new InvalidOperationException("Seeding the journal failed.", failure);
            }
        }
    }

    /// <summary>Opens <paramref name="ids"/> through the engine as the venue would: open, two deposits, the three opening fills; every reply must be accepted.</summary>
    public async Task OpenLiveAsync(IReadOnlyList<string> ids, int window)
    {
        var now = Clock.GetUtcNow();
        await ForEachAsync(ids.Count, window, async i =>
        {
            var id = ids[i];
            Expect(await Engine.SendAsync(id, new OpenAccount($"open-{id}", "accounts", 1)));
            Expect(await Engine.SendAsync(id, new Deposit($"dep-usdt-{id}", "wallet", 1, "USDT", 100_000m)));
            Expect(await Engine.SendAsync(id, new Deposit($"dep-usdc-{id}", "wallet", 2, "USDC", 20_000m)));
            var sequence = 0;
            foreach (var (symbol, side, quantity, price) in OpeningFills(i))
            {
                sequence++;
                var executionId = $"open-{id}-{sequence}";
                Expect(await Engine.SendAsync(id, new ApplyExecution(executionId, "me-open", sequence, executionId, $"oo-{id}-{sequence}", symbol, side, quantity,
                    price, 0m, Liquidity.Taker, now)));
            }
        });
    }

    /// <summary>
    /// Starts account <paramref name="id"/> (if it is not live) by asking for its view through the region, with a long
    /// timeout: recovering a large book queues thousands of recoveries behind the one journal.
    /// </summary>
    public Task<object> StartAccountAsync(string id) =>
        Engine.Accounts.Ask<object>(new ShardEnvelope(id, GetAccount.Instance), TimeSpan.FromMinutes(5));

    /// <summary>Runs <paramref name="body"/> for 0..<paramref name="count"/>-1 with at most <paramref name="window"/> in flight.</summary>
    public static async Task ForEachAsync(int count, int window, Func<int, Task> body)
    {
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(window, count)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await body(i);
            }
        });
        await Task.WhenAll(workers);
    }

    private static void Expect(object reply)
    {
        if (reply is not CommandAccepted)
        {
            throw new InvalidOperationException($"Expected CommandAccepted, got {reply}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await System.CoordinatedShutdown.RunAsync(ShutdownReason.ProcessExit);
        await _writer.DisposeAsync();
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless.
        }
    }
}
